using System.Diagnostics.Metrics;
using OpsAgent.Certificates.Inspection;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;

namespace OpsAgent.Certificates;

/// <summary>The certificate series (docs/metrics.md), read from the latest results of the entries currently configured.</summary>
internal sealed class CertificateMetrics
{
    /// <summary>Registers the instruments on the agent's meter.</summary>
    public CertificateMetrics(AgentMetrics metrics, CertificateResults results, CertificateRenewer renewer, AgentConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        IEnumerable<CertificateCheck> Checks()
        {
            var options = configuration.Current.Get<CertificatesOptions>();
            return results.Latest.Where(c => options.Endpoints.ContainsKey(c.Entry) || options.Files.ContainsKey(c.Entry));
        }

        static KeyValuePair<string, object?>[] Series(CertificateCheck check, CertificateInfo certificate) =>
        [
            new("certificate", check.SeriesLabel(certificate)),
            new("source", check.SourceName),
            new("subject", certificate.Subject),
        ];

        var meter = metrics.Meter;
        meter.CreateObservableGauge("opsagent_certificate_not_after_timestamp_seconds", () => Checks()
            .SelectMany(c => c.Certificates.Select(i => new Measurement<double>(i.NotAfter.ToUnixTimeSeconds(), Series(c, i)))),
            description: "Unix time the certificate expires.");
        meter.CreateObservableGauge("opsagent_certificate_not_before_timestamp_seconds", () => Checks()
            .SelectMany(c => c.Certificates.Select(i => new Measurement<double>(i.NotBefore.ToUnixTimeSeconds(), Series(c, i)))),
            description: "Unix time the certificate becomes valid.");
        meter.CreateObservableGauge("opsagent_certificate_check_success", () => Checks()
            .Select(c => new Measurement<long>(c.Success ? 1 : 0, new KeyValuePair<string, object?>("certificate", c.Label))),
            description: "1 when the endpoint was reachable or the file readable and parsable, else 0.");
        meter.CreateObservableGauge("opsagent_certificate_verify_success", () => Checks()
            .Where(c => c.Source == CertificateSource.Endpoint)
            .Select(c => new Measurement<long>(c.Verified && c.VerifyReason is null ? 1 : 0, new KeyValuePair<string, object?>("certificate", c.Label))),
            description: "Endpoints: 1 when the chain and the name verify, else 0.");
        meter.CreateObservableCounter("opsagent_certificate_renewals", () =>
        {
            var options = configuration.Current.Get<CertificatesOptions>();
            var entries = options.Endpoints.Where(e => e.Value.OnCritical is not null).Select(e => e.Key)
                .Concat(options.Files.Where(f => f.Value.OnCritical is not null).Select(f => f.Key));
            return entries.SelectMany(entry =>
            {
                var (success, failure) = renewer.Counts(entry);
                return new[]
                {
                    new Measurement<long>(success, new("certificate", entry), new("result", "success")),
                    new Measurement<long>(failure, new("certificate", entry), new("result", "failure")),
                };
            });
        }, description: "OnCritical renewal commands run, by result (success|failure).");
    }
}
