namespace OpsAgent.Core.Status;

/// <summary>The <c>/status</c> document.</summary>
public sealed record StatusReport(
    string Version,
    DateTimeOffset GeneratedAt,
    SchedulerStatus Scheduler,
    ConfigurationStatus Configuration,
    IReadOnlyList<JobStatusReport> Jobs,
    IReadOnlyList<StatusItem> Items);
