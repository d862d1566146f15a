using System.ComponentModel;
using System.Globalization;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Certificates;

/// <summary>The <c>OpsAgent:Certificates</c> section: when to check, the warning levels, and what to check.</summary>
public sealed class CertificatesOptions
{
    /// <summary>The section path.</summary>
    public const string SectionName = "OpsAgent:Certificates";

    /// <summary>When every certificate is checked (crontab); the agent also checks once at start.</summary>
    public string Schedule { get; set; } = "0 */6 * * *";

    /// <summary>Below this many days left, and below a third of the lifetime, a certificate is <c>warning</c>.</summary>
    public double WarningDays { get; set; } = 30;

    /// <summary>Below this many days left a certificate is <c>critical</c>.</summary>
    public double CriticalDays { get; set; } = 7;

    /// <summary>The default <see cref="MaxFileBytes"/>: 1 MiB, far above any real chain.</summary>
    public const long DefaultMaxFileBytes = 1 << 20;

    /// <summary>The default <see cref="MaxCertificatesPerFile"/>.</summary>
    public const int DefaultMaxCertificatesPerFile = 100;

    /// <summary>The default <see cref="FileTimeout"/>.</summary>
    public static readonly TimeSpan DefaultFileTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A certificate file larger than this fails with <c>too_large</c>.</summary>
    public long MaxFileBytes { get; set; } = DefaultMaxFileBytes;

    /// <summary>A file with more certificates fails with <c>too_many_certificates</c> (each one is a metric series).</summary>
    public int MaxCertificatesPerFile { get; set; } = DefaultMaxCertificatesPerFile;

    /// <summary>Reading one file for longer fails it with <c>timeout</c> (a hung network file system).</summary>
    public TimeSpan FileTimeout { get; set; } = DefaultFileTimeout;

    /// <summary>TLS endpoints by name: <c>"host:port"</c> or an object.</summary>
    public Dictionary<string, CertificateEndpointOptions> Endpoints { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Certificate files by name: a glob (<c>*</c>, <c>?</c>, <c>**</c>) or an object.</summary>
    public Dictionary<string, CertificateFileOptions> Files { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when nothing is configured.</summary>
    public bool IsEmpty => Endpoints.Count == 0 && Files.Count == 0;
}

/// <summary>How the TLS handshake is reached.</summary>
public enum EndpointProtocol
{
    /// <summary>A TLS handshake right after connecting (HTTPS, SMTPS, IMAPS...).</summary>
    Tls,

    /// <summary>PostgreSQL's SSLRequest first, then the handshake: checks a database server's certificate.</summary>
    Postgres,
}

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

/// <summary>One certificate file pattern; written as a glob string or as an object.</summary>
[TypeConverter(typeof(CertificateFileConverter))]
public sealed class CertificateFileOptions
{
    /// <summary>An absolute path or glob (<c>*</c> and <c>?</c> within a name, <c>**</c> across directories).</summary>
    public string? Path { get; set; }

    /// <summary>What to run while a certificate matched by this entry is critical.</summary>
    public OnCriticalOptions? OnCritical { get; set; }
}

/// <summary>A renewal command run at most once a day per configured certificate (or per critical matched file) while it is critical.</summary>
public sealed class OnCriticalOptions
{
    /// <summary>
    /// The command line (split like a shell would, but not run through one), such as <c>certbot renew --cert-name {CertName}</c>;
    /// in a Files entry <c>{CertName}</c> (the matched file's directory name: certbot's lineage) and <c>{Path}</c> name the critical file, and it runs once per such file.
    /// </summary>
    public string? Command { get; set; }

    /// <summary>Run after <see cref="Command"/> succeeded, such as <c>systemctl reload nginx</c>; takes the same placeholders.</summary>
    public string? Then { get; set; }

    /// <summary>Each command is killed after this.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Parses <c>"host:port"</c> (IPv6 as <c>[::1]:443</c>) into <see cref="CertificateEndpointOptions"/>.</summary>
public sealed class CertificateEndpointConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        if (value is not string text)
        {
            return base.ConvertFrom(context, culture, value);
        }

        text = text.Trim();
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var end = text.IndexOf(']', StringComparison.Ordinal);
            if (end < 0)
            {
                throw new FormatException("expected [address]:port");
            }

            host = text[1..end];
            if (end + 1 < text.Length)
            {
                port = text[(end + 1)..].TrimStart(':');
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw new FormatException("expected host:port");
        }

        int? number = null;
        if (port is not null)
        {
            number = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : throw new FormatException("the port is not a number");
        }

        return new CertificateEndpointOptions { Host = host, Port = number };
    }
}

/// <summary>Turns a glob string into <see cref="CertificateFileOptions"/>.</summary>
public sealed class CertificateFileConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
        => value is string text ? new CertificateFileOptions { Path = text } : base.ConvertFrom(context, culture, value);
}
