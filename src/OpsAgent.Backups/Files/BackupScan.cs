namespace OpsAgent.Backups.Files;

/// <summary>What a scan of a job's backup directory found.</summary>
/// <param name="Backups">The files that count as backups, newest first.</param>
/// <param name="Ignored">Job-named files with a checksum that do not count, and why.</param>
internal sealed record BackupScan(IReadOnlyList<BackupFile> Backups, IReadOnlyList<IgnoredBackup> Ignored);
