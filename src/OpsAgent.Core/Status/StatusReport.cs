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
    IReadOnlyList<JobStatusReport> Jobs,
    IReadOnlyList<StatusItem> Items);

/// <summary>One checked thing inside a job (a certificate, a probe): its state, why, when, and a few details.</summary>
/// <param name="Kind">The capability (<c>certificate</c>, <c>probe</c>).</param>
/// <param name="Name">The metric label of the item.</param>
/// <param name="State">Its state (<c>ok</c>, <c>warning</c>, <c>critical</c>, <c>failed</c>, <c>healthy</c>...).</param>
/// <param name="Reason">The machine reason of a non-ok state.</param>
/// <param name="Message">The human message (redacted).</param>
/// <param name="CheckedAt">When it was last checked.</param>
/// <param name="Details">Further facts (not-after, subject, latency...).</param>
public sealed record StatusItem(string Kind, string Name, string State, string? Reason, string? Message, DateTimeOffset? CheckedAt, IReadOnlyDictionary<string, string> Details);

/// <summary>Contributes <see cref="StatusItem"/>s to <c>/status</c>.</summary>
public interface IStatusItemSource
{
    /// <summary>The current items.</summary>
    IEnumerable<StatusItem> GetItems();
}

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
/// <param name="itemSources">Capabilities' per-item state.</param>
public sealed class StatusReporter(AgentScheduler scheduler, JobStatusStore store, AgentConfigurationManager configuration, SchedulerHeartbeat heartbeat, TimeProvider time,
    IEnumerable<IStatusItemSource> itemSources)
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
            jobs,
            [.. itemSources.SelectMany(s => s.GetItems())]);
    }
}

/// <summary>Source-generated JSON for the status document (camelCase, ISO-8601 times), shared by the endpoint and the CLI.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusReport))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
