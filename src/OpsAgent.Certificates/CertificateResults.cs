using OpsAgent.Certificates.Inspection;

namespace OpsAgent.Certificates;

/// <summary>The latest results and the level each certificate was judged at: what metrics, <c>/status</c> and renewals read.</summary>
internal sealed class CertificateResults
{
    private readonly Lock _lock = new();
    private List<CertificateCheck> _latest = [];
    private Dictionary<string, (CertificateLevel Level, string? Reason)> _levels = new(StringComparer.Ordinal);
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

    /// <summary>
    /// Stores <paramref name="checks"/> (replacing every result, or only those of the same entries) with the levels of their
    /// certificates by series label; levels of certificates no longer in the results are dropped.
    /// </summary>
    /// <returns>The check labels and the series labels now held, so the log de-duplication forgets the others too.</returns>
    public (IReadOnlySet<string> Labels, IReadOnlySet<string> Series) Store(IReadOnlyList<CertificateCheck> checks,
        IReadOnlyDictionary<string, (CertificateLevel Level, string? Reason)> levels, bool replaceAll, DateTimeOffset now)
    {
        lock (_lock)
        {
            var entries = checks.Select(c => c.Entry).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var latest = replaceAll ? [] : _latest.Where(c => !entries.Contains(c.Entry)).ToList();
            latest.AddRange(checks);
            var series = latest.SelectMany(c => c.Certificates.Select(c.SeriesLabel)).ToHashSet(StringComparer.Ordinal);
            var kept = _levels.Where(l => series.Contains(l.Key)).ToDictionary(StringComparer.Ordinal);
            foreach (var (label, level) in levels)
            {
                kept[label] = level;
            }

            _latest = latest;
            _levels = kept;
            _checkedAt = now;
            return (latest.Select(c => c.Label).ToHashSet(StringComparer.Ordinal), series);
        }
    }

    /// <summary>The level stored for <paramref name="certificate"/>; ok when it has none.</summary>
    public (CertificateLevel Level, string? Reason) LevelOf(CertificateCheck check, CertificateInfo certificate)
    {
        ArgumentNullException.ThrowIfNull(check);
        lock (_lock)
        {
            return _levels.TryGetValue(check.SeriesLabel(certificate), out var level) ? level : (CertificateLevel.Ok, null);
        }
    }

    /// <summary>One consistent view: when the last check ran, its results and their levels.</summary>
    public (DateTimeOffset? CheckedAt, IReadOnlyList<CertificateCheck> Latest, IReadOnlyDictionary<string, (CertificateLevel Level, string? Reason)> Levels) Snapshot()
    {
        lock (_lock)
        {
            return (_checkedAt, _latest, _levels);
        }
    }

    /// <summary>Counts the stored results by level.</summary>
    public CertificateRunSummary Summarize()
    {
        var (_, latest, levels) = Snapshot();
        var all = latest.SelectMany(c => c.Certificates.Select(i => levels.TryGetValue(c.SeriesLabel(i), out var l) ? l.Level : CertificateLevel.Ok)).ToList();
        return new CertificateRunSummary(all.Count(l => l == CertificateLevel.Ok), all.Count(l => l == CertificateLevel.Warning),
            all.Count(l => l == CertificateLevel.Critical), latest.Count(c => !c.Success), latest.Count(c => c.VerifyReason is not null));
    }
}
