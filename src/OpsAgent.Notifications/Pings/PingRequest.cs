namespace OpsAgent.Notifications.Pings;

/// <summary>One ping as queued: where and how, but never the token (read from the configuration when it is sent).</summary>
internal sealed class PingRequest
{
    /// <summary>Whose ping: <c>backup:&lt;job&gt;</c>, <c>probe:&lt;probe&gt;</c> or <c>heartbeat</c>.</summary>
    public string Owner { get; set; } = "";

    /// <summary>The ping type.</summary>
    public string Type { get; set; } = "";

    /// <summary>GET or POST.</summary>
    public string Method { get; set; } = "GET";

    /// <summary>The whole URL, signal and query included.</summary>
    public string Url { get; set; } = "";

    /// <summary>A POST's text body (Healthchecks keeps it as the run's log).</summary>
    public string? Body { get; set; }
}
