using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Core.Status;

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
