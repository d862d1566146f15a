namespace OpsAgent.Health.Checks.Http;

/// <summary>The settings of an <c>http</c> probe.</summary>
public sealed class HttpProbeOptions
{
    /// <summary>The largest <see cref="MaxBodyBytes"/> the configuration accepts.</summary>
    public const long MaxBodyBytesCeiling = 16L * 1024 * 1024;

    /// <summary>http: the URL.</summary>
    public string? Url { get; set; }

    /// <summary>http: the method (default GET).</summary>
    public string Method { get; set; } = "GET";

    /// <summary>http: extra request headers.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>http: the Host header (and TLS name), to probe a loopback backend under its public virtual host.</summary>
    public string? HostHeader { get; set; }

    /// <summary>http: accepted status codes (default: any 2xx).</summary>
    public List<int> ExpectStatus { get; set; } = [];

    /// <summary>http: dotted JSON path → accepted value(s); numbers and booleans compare by their JSON text.</summary>
    public Dictionary<string, List<string>> ExpectJson { get; set; } = new(StringComparer.Ordinal);

    /// <summary>http: text the body must contain.</summary>
    public string? ExpectBodyContains { get; set; }

    /// <summary>http: verify the server's certificate.</summary>
    public bool VerifyTls { get; set; } = true;

    /// <summary>http: larger bodies fail the probe (<c>body_too_large</c>); they are never read whole.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>http: follow redirects (otherwise a 3xx is the answer).</summary>
    public bool FollowRedirects { get; set; }
}
