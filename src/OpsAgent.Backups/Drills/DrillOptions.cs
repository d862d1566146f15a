using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Drills;

/// <summary>A job's restore drill: on a schedule, restore its newest backup somewhere disposable, check it, and throw it away.</summary>
public sealed class DrillOptions
{
    /// <summary>When (5-field crontab; the runbooks' "quarterly": <c>0 4 1 */3 *</c>).</summary>
    public string? Schedule { get; set; }

    /// <summary>Null: the newest verified local backup; or a copy's name, whose newest backup is downloaded and checked first.</summary>
    public string? From { get; set; }

    /// <summary>Null: the job's own server (and container); or a connection to restore on instead (a staging server).</summary>
    public SecretReference? Server { get; set; }

    /// <summary>What must hold in the restored copy: queries (PostgreSQL) or collections (MongoDB) with their bounds.</summary>
    public List<DrillCheckOptions> Checks { get; set; } = [];

    /// <summary>The whole drill (download, restore, checks) is stopped after this and counted as <c>timeout</c>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Keep the scratch database (or directory) of a failed drill to look at; it is named in the journal. Never kept after a success.</summary>
    public bool KeepOnFailure { get; set; }

    /// <summary>How far a table's exact row count may be from the estimate the dump recorded (0.10: 10 %) before the drill fails.</summary>
    public double RowCountTolerance { get; set; } = 0.10;

    /// <summary>Files jobs: paths, relative to the archive's root as the backup stores them (<c>opt/ujmp/media/uploads</c>), that the restore must contain.</summary>
    public List<string> ExpectPaths { get; set; } = [];
}
