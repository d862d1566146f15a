namespace OpsAgent.Core.Status;

/// <summary>Scheduler liveness.</summary>
public sealed record SchedulerStatus(bool Running, string Condition, DateTimeOffset? LastHeartbeat, string TimeZone);
