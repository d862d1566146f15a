namespace OpsAgent.Backups.Files;

/// <summary>Why a job-named file is not counted as a backup.</summary>
internal static class IgnoredBackupReasons
{
    /// <summary>Its <c>.json</c> is missing, unreadable or does not say <c>verified</c>.</summary>
    public const string Unverified = "unverified";

    /// <summary>Its name is dated later than now plus <see cref="BackupFileNames.MaxClockSkew"/>.</summary>
    public const string FutureDated = "future_dated";
}
