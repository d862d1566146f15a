using System.Globalization;
using Microsoft.Extensions.Logging;
using OpsAgent.Certificates.Inspection;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Certificates;

/// <summary>Writes a certificate's journal entries when its level or check result changes, and once a day while critical or failing.</summary>
/// <remarks>
/// Not on every run: a check every six hours that repeats "30 days left" four times a day teaches operators to ignore the
/// journal. The logger keeps the <see cref="CertificateMonitor"/> category the entries have always carried.
/// </remarks>
internal sealed class CertificateLogDeduplicator(SecretRedactor redactor, ILogger<CertificateMonitor> logger)
{
    private static readonly TimeSpan Repeat = TimeSpan.FromDays(1);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (CertificateLevel Level, DateTimeOffset Logged)> _levels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? Reason, DateTimeOffset Logged, string? Verify)> _checks = new(StringComparer.Ordinal);

    /// <summary>Logs what changed in <paramref name="checks"/>, whose certificates were judged at <paramref name="levels"/> (by series label).</summary>
    public void Record(IReadOnlyList<CertificateCheck> checks, IReadOnlyDictionary<string, (CertificateLevel Level, string? Reason)> levels, DateTimeOffset now)
    {
        lock (_lock)
        {
            foreach (var check in checks)
            {
                RecordCheck(check, now);
                foreach (var certificate in check.Certificates)
                {
                    var (level, reason) = levels[check.SeriesLabel(certificate)];
                    RecordLevel(check, certificate, level, reason, now);
                }
            }
        }
    }

    /// <summary>Forgets names that are gone, so one that comes back is reported afresh.</summary>
    public void Retain(IReadOnlySet<string> labels, IReadOnlySet<string> series)
    {
        lock (_lock)
        {
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
                using (EventScope.Begin(logger, "certificate_check_failed", ("Source", check.SourceName)))
                {
                    CertificateLog.CheckFailed(logger, check.Label, check.FailureReason!, check.Location, redactor.Redact(check.FailureMessage ?? ""));
                }

                logged = now;
            }
        }
        else if (known && previous.Reason is not null)
        {
            using (EventScope.Begin(logger, "certificate_ok", ("Source", check.SourceName)))
            {
                CertificateLog.CheckRecovered(logger, check.Label, check.Location);
            }
        }

        if (check.Verified && (known ? previous.Verify != check.VerifyReason : check.VerifyReason is not null))
        {
            if (check.VerifyReason is not null)
            {
                using (EventScope.Begin(logger, "certificate_verify_failed", ("Source", check.SourceName)))
                {
                    CertificateLog.VerifyFailed(logger, check.Label, check.Location, check.VerifyReason, check.VerifyMessage ?? "");
                }
            }
            else
            {
                using (EventScope.Begin(logger, "certificate_ok", ("Source", check.SourceName)))
                {
                    CertificateLog.VerifyRecovered(logger, check.Label, check.Location);
                }
            }
        }

        _checks[check.Label] = (check.FailureReason, logged, check.Verified ? check.VerifyReason : previous.Verify);
    }

    private void RecordLevel(CertificateCheck check, CertificateInfo certificate, CertificateLevel level, string? reason, DateTimeOffset now)
    {
        var label = check.SeriesLabel(certificate);
        var known = _levels.TryGetValue(label, out var previous);
        var changed = known ? previous.Level != level : level != CertificateLevel.Ok;
        var repeat = level == CertificateLevel.Critical && known && now - previous.Logged >= Repeat;
        if (!changed && !repeat)
        {
            if (!known)
            {
                _levels[label] = (level, now);
            }

            return;
        }

        var days = CertificateLevels.DaysLeft(certificate, now);
        using (EventScope.Begin(logger, $"certificate_{level.Name()}", ("Source", check.SourceName), ("Location", check.Location), ("Level", level.Name()),
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

        _levels[label] = (level, now);
    }
}
