namespace OpsAgent.Core.Scheduling;

/// <summary>Failure reasons any job can end with, whatever its kind (docs/failure-reasons.md).</summary>
public static class JobReasons
{
    /// <summary>The agent stopped during the run.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The run threw: a defect in the agent, logged as <c>job_crashed</c>.</summary>
    public const string Exception = "exception";

    /// <summary>A reload removed the job while its run was queued.</summary>
    public const string Removed = "removed";
}
