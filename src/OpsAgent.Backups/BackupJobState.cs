namespace OpsAgent.Backups;

/// <summary>What the agent knows about one job's backups, for metrics and status.</summary>
public sealed class BackupJobState
{
    /// <summary>The newest backup's time (from the files on disk, then from runs).</summary>
    public DateTimeOffset? LastSuccess { get; internal set; }

    /// <summary>The newest backup file found on disk when the state was created.</summary>
    public string? NewestOnDisk { get; internal set; }

    /// <summary>When the last run finished (either result).</summary>
    public DateTimeOffset? LastRun { get; internal set; }

    /// <summary>The last successful run's duration.</summary>
    public double? LastDurationSeconds { get; internal set; }

    /// <summary>The newest backup's size.</summary>
    public long? LastSizeBytes { get; internal set; }

    /// <summary>Successful runs since start.</summary>
    public long Successes { get; internal set; }

    /// <summary>Failed runs since start.</summary>
    public long Failures { get; internal set; }

    /// <summary>Runs refused since start because another run of the job held its lock (<c>already_running</c>).</summary>
    public long Refusals { get; internal set; }

    /// <summary>Backups on disk.</summary>
    public int Files { get; internal set; }

    /// <summary>Backups deleted by retention since start.</summary>
    public long Deleted { get; internal set; }
}
