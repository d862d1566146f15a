namespace OpsAgent.Core.Scheduling;

/// <summary>The last known state of one scheduled job, as shown in <c>/status</c>.</summary>
public sealed class JobStatus
{
    internal JobStatus(AgentJobDefinition definition) => Definition = definition;

    /// <summary>The job as currently configured.</summary>
    public AgentJobDefinition Definition { get; internal set; }

    /// <summary><c>never</c>, <c>running</c>, <c>success</c> or <c>failure</c>.</summary>
    public string LastResult { get; internal set; } = "never";

    /// <summary>The machine reason of the last failure.</summary>
    public string? Reason { get; internal set; }

    /// <summary>The redacted human message of the last run.</summary>
    public string? Message { get; internal set; }

    /// <summary>When the last run started.</summary>
    public DateTimeOffset? LastStart { get; internal set; }

    /// <summary>The id of the current or last run, telling overlapping pings of one job apart (Healthchecks' <c>rid</c>).</summary>
    public string? RunId { get; internal set; }

    /// <summary>When the last run ended.</summary>
    public DateTimeOffset? LastEnd { get; internal set; }

    /// <summary>When the last successful run ended.</summary>
    public DateTimeOffset? LastSuccess { get; internal set; }

    /// <summary>Whether a run is in progress.</summary>
    public bool Running { get; internal set; }

    /// <summary>Completed runs by result, for counters.</summary>
    public long Successes { get; internal set; }

    /// <summary>Failed runs.</summary>
    public long Failures { get; internal set; }
}
