namespace OpsAgent.Core.Configuration;

/// <summary>HTTP endpoint settings.</summary>
public sealed class HttpOptions
{
    /// <summary>The URL Kestrel listens on; loopback by default so metrics are not exposed by accident.</summary>
    public string Listen { get; set; } = "http://127.0.0.1:9464";
}
