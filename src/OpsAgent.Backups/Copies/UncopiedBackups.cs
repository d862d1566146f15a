using OpsAgent.Backups.Files;

namespace OpsAgent.Backups.Copies;

/// <summary>The local backups that local retention must not delete yet because a target still lacks them.</summary>
internal static class UncopiedBackups
{
    /// <summary>Why a local backup is held: the copy that lacks it, and whether <c>KeepUncopiedDays</c> has run out.</summary>
    /// <param name="Copy">The copy (or <c>upload in progress</c>).</param>
    /// <param name="Expired">True when the backup is older than <c>KeepUncopiedDays</c>: local retention deletes it after all, saying so.</param>
    internal sealed record Hold(string Copy, bool Expired);

    /// <summary>
    /// The backups of <paramref name="local"/> that a copy's retention keeps (over the local backups and the target's last
    /// listing together) but the target lacks, and the one being uploaded; records each copy's pending count for the metrics.
    /// </summary>
    public static IReadOnlyDictionary<string, Hold> Find(string job, BackupJobOptions options, IReadOnlyList<BackupFile> local, string stateDirectory, TimeZoneInfo zone,
        DateTimeOffset now, CopyStateStore? store)
    {
        ArgumentNullException.ThrowIfNull(options);
        var held = new Dictionary<string, Hold>(StringComparer.Ordinal);
        if (options.Copies.Count == 0)
        {
            return held;
        }

        var limit = now - TimeSpan.FromDays(options.KeepUncopiedDays);
        foreach (var (copy, o) in options.Copies)
        {
            if (o is null)
            {
                continue;
            }

            var state = CopyStateStore.Read(stateDirectory, job, copy);
            var policy = o.Retention.IsWritten ? o.Retention : options.Retention;
            var missing = CopyPlanner.Missing(local, [.. state.Remote.Select(r => (r.Name, r.Time))], policy, zone);
            if (store is not null)
            {
                store.Counters(job, copy).Pending = missing.Count;
            }

            foreach (var backup in missing)
            {
                var expired = options.KeepUncopiedDays == 0 || backup.Time < limit;
                if (!held.TryGetValue(backup.FileName, out var other) || (other.Expired && !expired))
                {
                    held[backup.FileName] = new Hold(copy, expired);
                }
            }
        }

        // The file a pass is reading: deleting it under the upload would fail that copy for nothing.
        if (CopyStateStore.Uploading(stateDirectory, job) is { } uploading && local.Any(l => l.FileName == uploading))
        {
            held[uploading] = new Hold("upload in progress", false);
        }

        return held;
    }
}
