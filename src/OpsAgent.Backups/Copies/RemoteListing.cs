using OpsAgent.Backups.Files;

namespace OpsAgent.Backups.Copies;

/// <summary>A target's listing of one job's folder, read as backups the way a local directory scan reads files.</summary>
/// <param name="Backups">The job's backups there, complete or not, newest first.</param>
/// <param name="Orphans">Sidecars and companions whose data object is gone (an interrupted deletion), safe to remove.</param>
/// <param name="Future">
/// The job's names dated later than now plus <see cref="BackupFileNames.MaxClockSkew"/>: never counted, kept, deleted or
/// restored by default, as locally (a host whose clock was wrong once, or another writer to the same folder, would otherwise
/// hold a retention slot forever and push every real copy out).
/// </param>
internal sealed record RemoteListing(IReadOnlyList<RemoteBackup> Backups, IReadOnlyList<string> Orphans, IReadOnlyList<RemoteBackup> Future)
{
    /// <summary>The complete backups, newest first.</summary>
    public IEnumerable<RemoteBackup> Complete => Backups.Where(b => b.Complete);

    /// <summary>Reads <paramref name="files"/> (names of one folder) as <paramref name="job"/>'s backups; foreign names are ignored, never listed or deleted.</summary>
    public static RemoteListing Read(string job, IReadOnlyList<RemoteFile> files, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(files);
        var byName = files.Where(f => !f.Name.EndsWith(BackupFileNames.PartialSuffix, StringComparison.Ordinal))
            .GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var backups = new List<RemoteBackup>();
        foreach (var file in byName.Values)
        {
            var plain = file.Name.EndsWith(AgeEncryption.Suffix, StringComparison.Ordinal) ? file.Name[..^AgeEncryption.Suffix.Length] : file.Name;
            if (!BackupFileNames.TryParse(plain, out var owner, out var time) || owner != job)
            {
                continue;
            }

            var belongs = new List<string> { file.Name };
            foreach (var suffix in BackupFileNames.SidecarSuffixes)
            {
                // A companion of an encrypted copy is itself encrypted: db_x.dump.zst.globals.sql.zst.age beside db_x.dump.zst.age.
                foreach (var candidate in new[] { file.Name + suffix, plain + suffix + AgeEncryption.Suffix })
                {
                    if (byName.ContainsKey(candidate) && candidate != file.Name)
                    {
                        belongs.Add(candidate);
                    }
                }
            }

            claimed.UnionWith(belongs);
            var complete = byName.ContainsKey(file.Name + ".sha256") && byName.ContainsKey(file.Name + ".json");
            var modified = belongs.Select(b => byName[b].Modified).Where(m => m is not null).DefaultIfEmpty(null).Max();
            backups.Add(new RemoteBackup(plain, file.Name, time, file.Size, complete, [.. belongs.Distinct(StringComparer.Ordinal)], file.StorageClass, modified));
        }

        var orphans = byName.Keys.Where(n => !claimed.Contains(n) && IsSidecarOf(job, n)).Order(StringComparer.Ordinal).ToList();
        var ordered = backups.OrderByDescending(b => b.Time).ThenByDescending(b => b.Name, StringComparer.Ordinal).ToList();
        var limit = now + BackupFileNames.MaxClockSkew;
        return new RemoteListing([.. ordered.Where(b => b.Time <= limit)], orphans, [.. ordered.Where(b => b.Time > limit)]);
    }

    /// <summary>True when <paramref name="name"/> is one of <paramref name="job"/>'s data objects (plain or <c>.age</c>), sidecars or companions, and no other job's.</summary>
    public static bool Belongs(string job, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var plain = name.EndsWith(AgeEncryption.Suffix, StringComparison.Ordinal) ? name[..^AgeEncryption.Suffix.Length] : name;
        return (BackupFileNames.TryParse(plain, out var owner, out _) && owner == job) || IsSidecarOf(job, name);
    }

    /// <summary>True when <paramref name="name"/> is a sidecar or companion of one of <paramref name="job"/>'s data names.</summary>
    private static bool IsSidecarOf(string job, string name)
    {
        var stripped = name.EndsWith(AgeEncryption.Suffix, StringComparison.Ordinal) ? name[..^AgeEncryption.Suffix.Length] : name;
        foreach (var suffix in BackupFileNames.SidecarSuffixes)
        {
            if (stripped.EndsWith(suffix, StringComparison.Ordinal))
            {
                var data = stripped[..^suffix.Length];
                var plain = data.EndsWith(AgeEncryption.Suffix, StringComparison.Ordinal) ? data[..^AgeEncryption.Suffix.Length] : data;
                return BackupFileNames.TryParse(plain, out var owner, out _) && owner == job;
            }
        }

        return false;
    }
}
