namespace OpsAgent.Backups.Drills;

/// <summary>Why a drill failed (<c>OPSAGENT_REASON</c> of <c>drill_failed</c>, the <c>result</c> of <c>opsagent_backup_drill_runs_total</c>).</summary>
public static class DrillReasons
{
    /// <summary>No verified backup to drill (locally, or on the <c>From</c> target).</summary>
    public const string NoBackup = "no_backup";

    /// <summary>The restore failed; the tool's stderr is in the message.</summary>
    public const string RestoreFailed = BackupReasons.RestoreFailed;

    /// <summary>A check did not hold: <c>check_failed:&lt;n&gt;</c> (the n-th of <c>Checks</c>, from 1), <c>check_failed:row_counts</c>, <c>check_failed:collections</c>, <c>check_failed:entries</c>, <c>check_failed:paths</c>.</summary>
    public const string CheckFailedPrefix = "check_failed:";

    /// <summary>The drill ran past its <c>Timeout</c>.</summary>
    public const string Timeout = BackupReasons.Timeout;

    /// <summary>Not enough free space for the restored copy.</summary>
    public const string NoSpace = BackupReasons.NoSpace;

    /// <summary>The scratch name exists already: never touched, never dropped.</summary>
    public const string ScratchExists = "scratch_exists";

    /// <summary>Another run of the job (a dump, a drill) holds its lock.</summary>
    public const string AlreadyRunning = BackupReasons.AlreadyRunning;
}
