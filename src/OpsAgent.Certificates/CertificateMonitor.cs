using System.Globalization;
using Microsoft.Extensions.Logging;
using OpsAgent.Certificates.Inspection;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Secrets;
using OpsAgent.Core.Status;

namespace OpsAgent.Certificates;

/// <summary>What one scheduled run found.</summary>
/// <param name="Ok">Certificates at <c>ok</c>.</param>
/// <param name="Warning">Certificates at <c>warning</c>.</param>
/// <param name="Critical">Certificates at <c>critical</c>.</param>
/// <param name="Failed">Checks that could not read a certificate.</param>
/// <param name="Unverified">Endpoints whose chain or name does not verify.</param>
public sealed record CertificateRunSummary(int Ok, int Warning, int Critical, int Failed, int Unverified)
{
    /// <summary>One line for <c>/status</c>.</summary>
    public override string ToString() => $"{Ok} ok, {Warning} warning, {Critical} critical, {Failed} failed checks, {Unverified} not verifying";
}

/// <summary>Runs the checks, keeps the latest results for metrics and <c>/status</c>, logs level changes and triggers renewals.</summary>
/// <remarks>
/// Entries are logged when their level changes (and once a day while critical or failing), not on every run: a check every
/// six hours that repeats "30 days left" four times a day teaches operators to ignore the journal.
/// </remarks>
public sealed class CertificateMonitor(CertificateChecker checker, CertificateRenewer renewer, SecretRedactor redactor, TimeProvider time, ILogger<CertificateMonitor> logger)
    : IStatusItemSource
{
    private static readonly TimeSpan Repeat = TimeSpan.FromDays(1);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (CertificateLevel Level, string? Reason, DateTimeOffset Logged)> _levels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? Reason, DateTimeOffset Logged, string? Verify)> _checks = new(StringComparer.Ordinal);
    private List<CertificateCheck> _latest = [];
    private DateTimeOffset? _checkedAt;

    /// <summary>The latest results.</summary>
    public IReadOnlyList<CertificateCheck> Latest
    {
        get
        {
            lock (_lock)
            {
                return _latest;
            }
        }
    }

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

        return Summarize();
    }

    /// <summary>
    /// The renewals to run: once per entry with <c>OnCritical</c> that has a critical certificate, or, when its commands name
    /// the matched file (<c>{CertName}</c>, <c>{Path}</c>), once per critical file of a <c>Files</c> entry.
    /// </summary>
    internal List<(string Entry, OnCriticalOptions OnCritical, string? File)> RenewalsDue(CertificatesOptions options, IReadOnlyList<CertificateCheck> checks)
    {
        List<CertificateCheck> critical;
        lock (_lock)
        {
            critical = [.. checks.Where(c => c.Certificates.Any(i => RecordedLevel(c, i) == CertificateLevel.Critical))];
        }

        var due = new List<(string, OnCriticalOptions, string?)>();
        foreach (var check in critical)
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

    /// <summary>The level <see cref="Record"/> evaluated for <paramref name="certificate"/> (call under the lock).</summary>
    private CertificateLevel RecordedLevel(CertificateCheck check, CertificateInfo certificate)
        => _levels.TryGetValue(check.SeriesLabel(certificate), out var recorded) ? recorded.Level : CertificateLevel.Ok;

    /// <summary>Stores <paramref name="checks"/> and logs what changed.</summary>
    internal void Record(CertificatesOptions options, IReadOnlyList<CertificateCheck> checks, bool replaceAll)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var entries = checks.Select(c => c.Entry).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var latest = replaceAll ? [] : _latest.Where(c => !entries.Contains(c.Entry)).ToList();
            latest.AddRange(checks);
            _latest = latest;
            _checkedAt = now;
            foreach (var check in checks)
            {
                RecordCheck(check, now);
                foreach (var certificate in check.Certificates)
                {
                    RecordLevel(check, certificate, options, now);
                }
            }

            // Forget names that are gone, so one that comes back is reported afresh.
            var labels = _latest.Select(c => c.Label).ToHashSet(StringComparer.Ordinal);
            var series = _latest.SelectMany(c => c.Certificates.Select(c.SeriesLabel)).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _checks.Keys.Where(k => !labels.Contains(k)).ToList())
            {
                _checks.Remove(gone);
            }

            foreach (var gone in _levels.Keys.Where(k => !series.Contains(k)).ToList())
            {
                _levels.Remove(gone);
            }
        }
    }

    private void RecordCheck(CertificateCheck check, DateTimeOffset now)
    {
        var known = _checks.TryGetValue(check.Label, out var previous);
        var logged = previous.Logged;
        if (!check.Success)
        {
            if (!known || previous.Reason != check.FailureReason || now - previous.Logged >= Repeat)
            {
                using (EventScope.Begin(logger, "certificate_check_failed", ("Source", Source(check))))
                {
                    CertificateLog.CheckFailed(logger, check.Label, check.FailureReason!, check.Location, redactor.Redact(check.FailureMessage ?? ""));
                }

                logged = now;
            }
        }
        else if (known && previous.Reason is not null)
        {
            using (EventScope.Begin(logger, "certificate_ok", ("Source", Source(check))))
            {
                CertificateLog.CheckRecovered(logger, check.Label, check.Location);
            }
        }

        if (check.Verified && (known ? previous.Verify != check.VerifyReason : check.VerifyReason is not null))
        {
            if (check.VerifyReason is not null)
            {
                using (EventScope.Begin(logger, "certificate_verify_failed", ("Source", Source(check))))
                {
                    CertificateLog.VerifyFailed(logger, check.Label, check.Location, check.VerifyReason, check.VerifyMessage ?? "");
                }
            }
            else
            {
                using (EventScope.Begin(logger, "certificate_ok", ("Source", Source(check))))
                {
                    CertificateLog.VerifyRecovered(logger, check.Label, check.Location);
                }
            }
        }

        _checks[check.Label] = (check.FailureReason, logged, check.Verified ? check.VerifyReason : previous.Verify);
    }

    private void RecordLevel(CertificateCheck check, CertificateInfo certificate, CertificatesOptions options, DateTimeOffset now)
    {
        var label = check.SeriesLabel(certificate);
        var (level, reason) = CertificateLevels.Evaluate(certificate, now, options.WarningDays, options.CriticalDays);
        var known = _levels.TryGetValue(label, out var previous);
        var changed = known ? previous.Level != level : level != CertificateLevel.Ok;
        var repeat = level == CertificateLevel.Critical && known && now - previous.Logged >= Repeat;
        if (!changed && !repeat)
        {
            if (!known)
            {
                _levels[label] = (level, reason, now);
            }
            else
            {
                _levels[label] = previous with { Reason = reason };
            }

            return;
        }

        var days = CertificateLevels.DaysLeft(certificate, now);
        using (EventScope.Begin(logger, $"certificate_{level.Name()}", ("Source", Source(check)), ("Location", check.Location), ("Level", level.Name()),
                   ("NotBefore", certificate.NotBefore.ToString("u", CultureInfo.InvariantCulture)), ("Issuer", certificate.Issuer)))
        {
            switch (level)
            {
                case CertificateLevel.Critical:
                    CertificateLog.Critical(logger, label, certificate.Subject, reason!, days, certificate.NotAfter);
                    break;
                case CertificateLevel.Warning:
                    CertificateLog.Warning(logger, label, certificate.Subject, days, certificate.NotAfter);
                    break;
                default:
                    CertificateLog.Ok(logger, label, certificate.Subject, days, certificate.NotAfter);
                    break;
            }
        }

        _levels[label] = (level, reason, now);
    }

    private CertificateRunSummary Summarize()
    {
        lock (_lock)
        {
            var levels = _latest.SelectMany(c => c.Certificates.Select(i => RecordedLevel(c, i))).ToList();
            return new CertificateRunSummary(levels.Count(l => l == CertificateLevel.Ok), levels.Count(l => l == CertificateLevel.Warning),
                levels.Count(l => l == CertificateLevel.Critical), _latest.Count(c => !c.Success), _latest.Count(c => c.VerifyReason is not null));
        }
    }

    /// <inheritdoc />
    public IEnumerable<StatusItem> GetItems()
    {
        DateTimeOffset? checkedAt;
        List<CertificateCheck> latest;
        Dictionary<string, (CertificateLevel Level, string? Reason, DateTimeOffset Logged)> levels;
        lock (_lock)
        {
            checkedAt = _checkedAt;
            latest = _latest;
            levels = new(_levels, StringComparer.Ordinal);
        }

        foreach (var check in latest)
        {
            if (!check.Success)
            {
                yield return new StatusItem("certificate", check.Label, "failed", check.FailureReason, redactor.Redact(check.FailureMessage ?? ""), checkedAt,
                    new Dictionary<string, string> { ["source"] = Source(check), ["location"] = check.Location });
                continue;
            }

            foreach (var certificate in check.Certificates)
            {
                var (level, reason, _) = levels.TryGetValue(check.SeriesLabel(certificate), out var l) ? l : (CertificateLevel.Ok, null, default);
                var details = new Dictionary<string, string>
                {
                    ["source"] = Source(check),
                    ["location"] = check.Location,
                    ["subject"] = certificate.Subject,
                    ["issuer"] = certificate.Issuer,
                    ["notBefore"] = certificate.NotBefore.ToString("O", CultureInfo.InvariantCulture),
                    ["notAfter"] = certificate.NotAfter.ToString("O", CultureInfo.InvariantCulture),
                };
                if (check.Verified && certificate.Position == 1)
                {
                    details["verify"] = check.VerifyReason ?? "ok";
                }

                yield return new StatusItem("certificate", check.SeriesLabel(certificate), level.Name(), reason ?? (certificate.Position == 1 ? check.VerifyReason : null),
                    check.VerifyMessage, checkedAt, details);
            }
        }
    }

    /// <summary><c>endpoint</c> or <c>file</c>.</summary>
    internal static string Source(CertificateCheck check) => check.Source == CertificateSource.Endpoint ? "endpoint" : "file";
}
