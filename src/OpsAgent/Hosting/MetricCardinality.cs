using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpsAgent.Backups;
using OpsAgent.Certificates;
using OpsAgent.Certificates.Inspection;
using OpsAgent.Core.Configuration;
using OpsAgent.Health;

namespace OpsAgent.Hosting;

/// <summary>The series limit of the certificate instruments, sized from the configuration instead of OpenTelemetry's 2,000.</summary>
/// <remarks>
/// Past its limit an instrument folds further series into one <c>otel_metric_overflow="true"</c> series, which would hide
/// real certificates. A stream's limit is fixed when the instrument is published (at start), so a reload that adds many
/// entries is covered only after a restart; <see cref="MetricOverflowMonitor"/> makes that case an alert.
/// </remarks>
internal static class MetricCardinality
{
    /// <summary>OpenTelemetry's default, kept as the least.</summary>
    internal const int Floor = 2000;

    /// <summary>Files a glob is assumed to match: its real count is only known when it is walked.</summary>
    internal const int FilesPerGlob = 100;

    /// <summary>The SDK allocates a stream's points up front; a limit beyond this is a configuration to split.</summary>
    internal const int Ceiling = 1_000_000;

    private const string CertificatePrefix = "opsagent_certificate_";

    /// <summary>Forces the limit (tests).</summary>
    internal static int? LimitOverride { get; set; }

    /// <summary>Certificate entries × <c>MaxCertificatesPerFile</c> (a glob as <see cref="FilesPerGlob"/> files) + probes + jobs, at least <see cref="Floor"/>.</summary>
    internal static int Limit(AgentConfiguration configuration)
    {
        if (LimitOverride is { } forced)
        {
            return forced;
        }

        var certificates = configuration.Get<CertificatesOptions>();
        long perFile = certificates.MaxCertificatesPerFile;
        var series = certificates.Endpoints.Count * perFile
            + certificates.Files.Values.Sum(f => (Glob.HasWildcards(f.Path ?? "") ? FilesPerGlob : 1) * perFile)
            + configuration.Get<ProbesOptions>().Probes.Count
            + configuration.Get<BackupsOptions>().Jobs.Count;
        return (int)Math.Clamp(series, Floor, Ceiling);
    }

    /// <summary>Gives the certificate instruments the limit of the configuration loaded at start.</summary>
    internal static MeterProviderBuilder ConfigureCardinality(this MeterProviderBuilder metrics)
        => ((IDeferredMeterProviderBuilder)metrics).Configure((services, builder) =>
        {
            var manager = services.GetRequiredService<AgentConfigurationManager>();
            // Views are evaluated when instruments are published to the provider, after the first load.
            var limit = new Lazy<int>(() => Limit(manager.Current));
            builder.AddView(instrument => IsCertificateSeries(instrument) ? new MetricStreamConfiguration { CardinalityLimit = limit.Value } : null);
        });

    private static bool IsCertificateSeries(Instrument instrument)
        => instrument.Meter.Name == Core.Metrics.AgentMetrics.MeterName && instrument.Name.StartsWith(CertificatePrefix, StringComparison.Ordinal);
}
