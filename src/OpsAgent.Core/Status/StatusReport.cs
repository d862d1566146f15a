using System.Text.Json;
using System.Text.Json.Serialization;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Core.Status;

/// <summary>The <c>/status</c> document.</summary>
public sealed record StatusReport(
    string Version,
    DateTimeOffset GeneratedAt,
    SchedulerStatus Scheduler,
    ConfigurationStatus Configuration,
    IReadOnlyList<JobStatusReport> Jobs);

/// <summary>Scheduler liveness.</summary>
public sealed record SchedulerStatus(bool Running, string Condition, DateTimeOffset? LastHeartbeat, string TimeZone);

/// <summary>The configuration in force, and why the last reload was rejected if it was.</summary>
public sealed record ConfigurationStatus(long Generation, DateTimeOffset LoadedAt, IReadOnlyList<string> Files, IReadOnlyList<string> LastReloadErrors);

/// <summary>One job in <c>/status</c>.</summary>
public sealed record JobStatusReport(
    string Kind,
    string Name,
    string Schedule,
    string LastResult,
    string? Reason,
    string? Message,
    bool Running,
    DateTimeOffset? LastStart,
    DateTimeOffset? LastEnd,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? PreviousFire,
    DateTimeOffset? NextFire);

/// <summary>Builds the <c>/status</c> document from the scheduler and the job store.</summary>
/// <param name="scheduler">The scheduler.</param>
/// <param name="store">Job states.</param>
/// <param name="configuration">The configuration manager.</param>
/// <param name="heartbeat">Scheduler liveness.</param>
/// <param name="time">The clock.</param>
public sealed class StatusReporter(AgentScheduler scheduler, JobStatusStore store, AgentConfigurationManager configuration, SchedulerHeartbeat heartbeat, TimeProvider time)
{
    /// <summary>Builds the report; messages in it were redacted when they were recorded.</summary>
    public async Task<StatusReport> BuildAsync(CancellationToken cancellationToken)
    {
        var current = configuration.Current;
        var jobs = new List<JobStatusReport>();
        foreach (var job in store.All)
        {
            var key = job.Definition.JobKey;
            var (previous, next) = await scheduler.FireTimesAsync(key, cancellationToken).ConfigureAwait(false);
            jobs.Add(new JobStatusReport(key.Group, key.Name, job.Definition.Schedule.Text, job.LastResult, job.Reason, job.Message, job.Running,
                job.LastStart, job.LastEnd, job.LastSuccess, previous, next));
        }

        return new StatusReport(
            AgentMetrics.Version,
            time.GetUtcNow(),
            new SchedulerStatus(scheduler.IsRunning, scheduler.Condition, heartbeat.LastBeat, current.TimeZone.Id),
            new ConfigurationStatus(current.Generation, current.LoadedAt, current.Files, [.. configuration.LastErrors.Select(e => e.ToString())]),
            jobs);
    }
}

/// <summary>Source-generated JSON for the status document (camelCase, ISO-8601 times), shared by the endpoint and the CLI.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusReport))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
