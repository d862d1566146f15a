namespace OpsAgent.Backups.Drills;

/// <summary>What <c>StateDirectory/drills/&lt;job&gt;.json</c> keeps of a job's drills: the last result, the last success, counts by result, and the last exact counts.</summary>
public sealed class DrillState
{
    /// <summary>When the last drill finished.</summary>
    public DateTimeOffset? LastRun { get; set; }

    /// <summary>When a drill last succeeded.</summary>
    public DateTimeOffset? LastSuccess { get; set; }

    /// <summary>The last drill's result: <c>success</c> or its reason.</summary>
    public string? LastResult { get; set; }

    /// <summary>The backup the last drill restored.</summary>
    public string? LastFile { get; set; }

    /// <summary>How long the last drill took.</summary>
    public double? LastDurationSeconds { get; set; }

    /// <summary>Bytes the last drill restored (the backup's uncompressed size).</summary>
    public long? LastRestoredBytes { get; set; }

    /// <summary>Drills by result, since the state file was created.</summary>
    public Dictionary<string, long> Runs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The exact per-table counts of the last drill that took them, to warn when a table shrinks by half.</summary>
    public Dictionary<string, long>? Counts { get; set; }

    /// <summary>The last drill's checks, one line each.</summary>
    public List<string> Checks { get; set; } = [];
}
