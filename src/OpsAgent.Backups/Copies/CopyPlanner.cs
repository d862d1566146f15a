using OpsAgent.Backups.Files;
using OpsAgent.Backups.Retention;

namespace OpsAgent.Backups.Copies;

/// <summary>What a copy's retention keeps over the local and remote backups together, and so what the target still lacks.</summary>
internal static class CopyPlanner
{
    /// <summary>
    /// The local backups a target's <paramref name="policy"/> keeps but the target lacks, oldest first: what a pass uploads
    /// and what local retention holds back (for at most <c>KeepUncopiedDays</c>).
    /// </summary>
    /// <param name="local">The job's verified local backups.</param>
    /// <param name="remote">The names (<see cref="RemoteBackup.Name"/>) of the complete backups on the target, with their times.</param>
    /// <param name="policy">The copy's retention.</param>
    /// <param name="zone">The agent's time zone.</param>
    public static IReadOnlyList<BackupFile> Missing(IReadOnlyList<BackupFile> local, IReadOnlyCollection<(string Name, DateTimeOffset Time)> remote, RetentionOptions policy, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        var remoteNames = remote.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var union = local.Select(l => (l.FileName, l.Time)).Concat(remote).DistinctBy(e => e.Item1, StringComparer.Ordinal)
            .OrderByDescending(e => e.Item2).ThenByDescending(e => e.Item1, StringComparer.Ordinal).ToList();
        var decisions = RetentionPlanner.Plan(union.Select(e => e.Item2), policy, zone);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < union.Count; i++)
        {
            if (decisions[i].Keep)
            {
                kept.Add(union[i].Item1);
            }
        }

        return [.. local.Where(l => kept.Contains(l.FileName) && !remoteNames.Contains(l.FileName)).OrderBy(l => l.Time).ThenBy(l => l.FileName, StringComparer.Ordinal)];
    }

    /// <summary>The remote retention: each complete remote backup with its decision, newest first; the newest is always kept.</summary>
    public static IReadOnlyList<(RemoteBackup Backup, RetentionDecision Decision)> Remote(IReadOnlyList<RemoteBackup> complete, RetentionOptions policy, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(complete);
        var ordered = complete.OrderByDescending(b => b.Time).ThenByDescending(b => b.Name, StringComparer.Ordinal).ToList();
        var decisions = RetentionPlanner.Plan(ordered.Select(b => b.Time), policy, zone);
        return [.. ordered.Select((b, i) => (b, i == 0 && !decisions[i].Keep ? decisions[i] with { Keep = true, Rules = ["newest"] } : decisions[i]))];
    }
}
