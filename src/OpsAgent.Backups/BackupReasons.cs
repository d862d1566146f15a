namespace OpsAgent.Backups;

/// <summary>Failure reasons of backup runs, verifications and restores (<c>OPSAGENT_REASON</c>, <c>reason</c> in <c>/status</c>; docs/failure-reasons.md).</summary>
/// <remarks>Tool start failures (<c>tool_missing</c>, <c>container_missing</c>, ...) are <see cref="Core.Processes.ToolStartReasons"/>.</remarks>
public static class BackupReasons
{
    /// <summary>The agent or the CLI was stopped (SIGTERM, SIGINT) during the run.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Another process (the daemon or a CLI) holds the job's lock: a run of the job is in progress.</summary>
    public const string AlreadyRunning = "already_running";

    /// <summary>The job's lock file cannot be created in the state directory (read-only, missing permissions).</summary>
    public const string StateUnwritable = "state_unwritable";

    /// <summary>The server did not answer. Retried.</summary>
    public const string DatabaseUnreachable = "database_unreachable";

    /// <summary>The connection cannot be parsed; not retried (the configuration must change).</summary>
    public const string BadConnection = "bad_connection";

    /// <summary>The connection secret could not be read; not retried.</summary>
    public const string Secret = "secret";

    /// <summary>The tool exited non-zero.</summary>
    public const string ToolFailed = "tool_failed";

    /// <summary>No client tool of the server's major version or newer.</summary>
    public const string VersionMismatch = "version_mismatch";

    /// <summary>Too little free space for the backup; not retried.</summary>
    public const string NoSpace = "no_space";

    /// <summary>Prefix of <c>dependency_failing:&lt;probe&gt;</c>: a probe of <c>RequireHealthy</c> stayed failing for <c>RequireHealthyWait</c>; nothing was dumped.</summary>
    public const string DependencyFailingPrefix = "dependency_failing:";

    /// <summary>The file could not be written.</summary>
    public const string WriteFailed = "write_failed";

    /// <summary>The directory is not writable by the agent.</summary>
    public const string PermissionDenied = "permission_denied";

    /// <summary>The run exceeded its Timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>A file of the same second already exists.</summary>
    public const string Exists = "exists";

    /// <summary>The dump is empty.</summary>
    public const string Empty = "empty";

    /// <summary>The dump does not end as its format must.</summary>
    public const string Truncated = "truncated";

    /// <summary>The file cannot be decompressed or parsed.</summary>
    public const string Corrupt = "corrupt";

    /// <summary>The SHA-256 (or a MongoDB collection's CRC-64) differs from the recorded one.</summary>
    public const string ChecksumMismatch = "checksum_mismatch";

    /// <summary>The file has no <c>.sha256</c> line to check it against.</summary>
    public const string NoChecksum = "no_checksum";

    /// <summary>The engine's checking tool (<c>pg_restore --list</c>) rejected the dump.</summary>
    public const string VerifyFailed = "verify_failed";

    /// <summary>The restore tool failed.</summary>
    public const string RestoreFailed = "restore_failed";

    /// <summary>The restore's target database already holds objects.</summary>
    public const string TargetNotEmpty = "target_not_empty";

    /// <summary>The server refused to let the user do the restore.</summary>
    public const string NotAuthorized = "not_authorized";

    /// <summary>The restore cannot tell which database to restore (into).</summary>
    public const string NoDatabase = "no_database";

    /// <summary>The restore was asked into a kind of target the job's engine does not restore into (a directory for a database dump).</summary>
    public const string WrongTarget = "wrong_target";

    /// <summary>The reasons a retry cannot help with: the configuration or the disk must change first.</summary>
    internal static bool IsPermanent(string? reason) => reason is NoSpace or BadConnection or Secret;

    /// <summary>A service the job stops (<c>StopContainers</c>, <c>Restore:Stop</c>) could not be stopped; nothing was read or restored.</summary>
    public const string StopFailed = "stop_failed";

    /// <summary>A files job's <c>Volume</c> does not exist, or Docker cannot be reached to find it.</summary>
    public const string VolumeMissing = "volume_missing";
}
