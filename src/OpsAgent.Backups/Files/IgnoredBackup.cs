namespace OpsAgent.Backups.Files;

/// <summary>A job-named file with a checksum that is not counted as a backup (never deleted either).</summary>
/// <param name="Path">The data file.</param>
/// <param name="Reason">One of <see cref="IgnoredBackupReasons"/>.</param>
internal sealed record IgnoredBackup(string Path, string Reason);
