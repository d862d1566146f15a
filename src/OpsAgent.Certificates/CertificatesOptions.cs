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
