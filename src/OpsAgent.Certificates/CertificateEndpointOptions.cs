using System.ComponentModel;

namespace OpsAgent.Certificates;

/// <summary>One TLS endpoint; written as <c>"host:port"</c> or as an object.</summary>
[TypeConverter(typeof(CertificateEndpointConverter))]
[Description("\"host:port\" or an object with Host, Port, ServerName, Protocol")]
public sealed class CertificateEndpointOptions
{
    /// <summary>The host name or address to connect to.</summary>
    public string? Host { get; set; }

    /// <summary>The port (default 443, or 5432 for <c>postgres</c>).</summary>
    public int? Port { get; set; }

    /// <summary>The name sent as SNI and checked against the certificate (default: <see cref="Host"/>).</summary>
    public string? ServerName { get; set; }

    /// <summary><c>tls</c> or <c>postgres</c>.</summary>
    public EndpointProtocol Protocol { get; set; } = EndpointProtocol.Tls;

    /// <summary>A PEM file of CA certificates to trust for this endpoint instead of the system store (an internal CA).</summary>
    public string? TrustedCa { get; set; }

    /// <summary>Connect and handshake timeout.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What to run while the certificate is critical.</summary>
    public OnCriticalOptions? OnCritical { get; set; }

    /// <summary>The port actually used.</summary>
    public int EffectivePort => Port ?? (Protocol == EndpointProtocol.Postgres ? 5432 : 443);

    /// <summary>The SNI name actually used.</summary>
    public string EffectiveServerName => string.IsNullOrWhiteSpace(ServerName) ? Host ?? "" : ServerName;

    /// <summary><c>host:port</c>.</summary>
    public string Describe() => Host is not null && Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{EffectivePort}" : $"{Host}:{EffectivePort}";
}
