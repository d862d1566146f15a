namespace OpsAgent.Backups;

/// <summary>Failure reasons of a backup run that other code and the README refer to by name.</summary>
public static class BackupReasons
{
    /// <summary>The agent or the CLI was stopped (SIGTERM, SIGINT) during the run.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Another process (the daemon or a CLI) holds the job's lock: a run of the job is in progress.</summary>
    public const string AlreadyRunning = "already_running";

    /// <summary>The job's lock file cannot be created in the state directory (read-only, missing permissions).</summary>
    public const string StateUnwritable = "state_unwritable";
}
