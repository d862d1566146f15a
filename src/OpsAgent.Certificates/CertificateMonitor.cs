using OpsAgent.Certificates.Inspection;

namespace OpsAgent.Certificates;

/// <summary>Runs the checks, judges each certificate's level, stores the results, has the changes logged and triggers renewals.</summary>
internal sealed class CertificateMonitor(CertificateChecker checker, CertificateRenewer renewer, CertificateResults results, CertificateLogDeduplicator log, TimeProvider time)
{
    private readonly Lock _lock = new();

    /// <summary>Checks everything, records it, and runs <c>OnCritical</c> for critical entries.</summary>
    public async Task<CertificateRunSummary> RunAsync(CertificatesOptions options, string stateDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var checks = await checker.CheckAsync(options, null, cancellationToken).ConfigureAwait(false);
        Record(options, checks, replaceAll: true);
        foreach (var (entry, onCritical, file) in RenewalsDue(options, checks))
        {
            if (await renewer.RenewAsync(entry, onCritical, file, stateDirectory, cancellationToken).ConfigureAwait(false) == true)
            {
                // A renewal that worked shows up now rather than at the next scheduled check.
                Record(options, await checker.CheckAsync(options, entry, cancellationToken).ConfigureAwait(false), replaceAll: false);
            }
        }

        return results.Summarize();
    }

    /// <summary>
    /// The renewals to run: once per entry with <c>OnCritical</c> that has a critical certificate, or, when its commands name
    /// the matched file (<c>{CertName}</c>, <c>{Path}</c>), once per critical file of a <c>Files</c> entry.
    /// </summary>
    internal List<(string Entry, OnCriticalOptions OnCritical, string? File)> RenewalsDue(CertificatesOptions options, IReadOnlyList<CertificateCheck> checks)
    {
        var due = new List<(string, OnCriticalOptions, string?)>();
        foreach (var check in checks.Where(c => c.Certificates.Any(i => results.LevelOf(c, i).Level == CertificateLevel.Critical)))
        {
            var onCritical = check.Source == CertificateSource.Endpoint
                ? options.Endpoints.TryGetValue(check.Entry, out var e) ? e.OnCritical : null
                : options.Files.TryGetValue(check.Entry, out var f) ? f.OnCritical : null;
            if (onCritical is null)
            {
                continue;
            }

            var file = check.Source == CertificateSource.File && RenewalPlaceholders.Used(onCritical) ? check.Location : null;
            if (file is not null || !due.Any(d => string.Equals(d.Item1, check.Entry, StringComparison.OrdinalIgnoreCase)))
            {
                due.Add((check.Entry, onCritical, file));
            }
        }

        return due;
    }

    /// <summary>Judges, stores and logs <paramref name="checks"/>.</summary>
    internal void Record(CertificatesOptions options, IReadOnlyList<CertificateCheck> checks, bool replaceAll)
    {
        var now = time.GetUtcNow();
        var levels = new Dictionary<string, (CertificateLevel Level, string? Reason)>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            foreach (var certificate in check.Certificates)
            {
                levels[check.SeriesLabel(certificate)] = CertificateLevels.Evaluate(certificate, now, options.WarningDays, options.CriticalDays);
            }
        }

        // One run at a time, so the log's memory and the stored results move together.
        lock (_lock)
        {
            var (labels, series) = results.Store(checks, levels, replaceAll, now);
            log.Record(checks, levels, now);
            log.Retain(labels, series);
        }
    }
}
