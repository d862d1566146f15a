using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Files;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Backups;

/// <summary>The scheduled backup of one configured job.</summary>
internal sealed class BackupJob(AgentJobServices services, BackupRunner runner, Copies.CopyScheduler? copies = null) : AgentJob(services)
{
    /// <summary>The Quartz group of backup jobs.</summary>
    public const string Kind = "backup";

    // The runner records every run in the status store, whoever started it (this schedule, a catch-up, the CLI).
    protected override bool RecordsOwnStatus => true;

    protected override async Task<JobOutcome> RunAsync(JobRunContext run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = run.Configuration.Get<BackupsOptions>();
        if (!options.Jobs.TryGetValue(run.Name, out var job))
        {
            return JobOutcome.Fail(JobReasons.Removed, "the job is no longer configured");
        }

        var request = new BackupRequest(run.Name, job, options.MaxConcurrentBackups, run.Configuration.TimeZone, run.Configuration.Agent.StateDirectory);
        var result = await runner.RunAsync(request, null, cancellationToken).ConfigureAwait(false);
        if (job.Copies.Count > 0)
        {
            // Outside the dump's lock, whatever the result: a failed dump still lets an outage's backlog go out.
            copies?.Trigger(run.Name);
        }

        return result.Success ? JobOutcome.Ok(result.Message) : JobOutcome.Fail(result.Reason ?? "failed", result.Message);
    }
}

/// <summary>Schedules one <see cref="BackupJob"/> per configured backup; a missed night is fired once when the agent is back.</summary>
internal sealed class BackupJobSource : IJobSource
{
    public IEnumerable<AgentJobDefinition> GetJobs(AgentConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var (name, o) in configuration.Get<BackupsOptions>().Jobs)
        {
            var where = o.Container is null ? "host" : $"container {o.Container}";
            yield return new AgentJobDefinition(BackupJob.Kind, name, ScheduleSpec.ParseCron(o.Schedule!), typeof(BackupJob), MisfirePolicy.FireOnce)
            {
                Description = $"{o.Engine} {o.Database ?? o.Connection?.Describe()} on {where} -> {o.Directory} ({o.Compression.ToString().ToLowerInvariant()})",
            };
        }
    }
}

/// <summary>At start: removes partial files of interrupted runs and catches up missed runs.</summary>
/// <remarks>
/// The scheduler keeps no state across restarts, so a night the agent was down for is detected from the files: when the
/// newest backup is older than the schedule's previous fire time, the job is fired once now.
/// </remarks>
internal sealed partial class BackupStartup(
    AgentConfigurationManager configuration,
    AgentScheduler scheduler,
    BackupRunner runner,
    Retention.RetentionExecutor retention,
    BackupStateStore state,
    Stops.ServiceStopper stopper,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<BackupStartup> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var current = configuration.Current;
        // Before anything else: an application a killed agent left stopped for a volume backup or a restore comes back first.
        await stopper.RecoverAsync(current.Agent.StateDirectory, cancellationToken).ConfigureAwait(false);
        foreach (var (job, o) in current.Get<BackupsOptions>().Jobs)
        {
            runner.RemoveStalePartials(job, o.Directory!, current.Agent.StateDirectory);
            retention.ReportIgnored(job, o.Directory!);
            // Seed from the files on disk here rather than during the first scrape.
            state.Get(job, o.Directory);
        }

        lifetime.ApplicationStarted.Register(() => _ = CatchUpAsync(lifetime.ApplicationStopping));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Fires each job whose newest backup predates its previous scheduled run.</summary>
    internal async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            var current = configuration.Current;
            var now = time.GetUtcNow();
            foreach (var (job, o) in current.Get<BackupsOptions>().Jobs)
            {
                if (!o.CatchUp)
                {
                    continue;
                }

                var (previous, newest) = CatchUpState(job, o, now, current.TimeZone);
                if (previous is null)
                {
                    continue;
                }

                if (!Behind(previous.Value, newest))
                {
                    BackupLog.CatchUpNotNeeded(logger, job, newest!.FileName, previous.Value);
                    continue;
                }

                using (EventScope.Begin(logger, "backup_catch_up"))
                {
                    BackupLog.CatchingUp(logger, job, newest?.FileName ?? "none", previous.Value);
                }

                await scheduler.TriggerNowAsync(new Quartz.JobKey(job, BackupJob.Kind), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The previous fire time when the newest backup is older than it, otherwise null.</summary>
    internal static DateTimeOffset? NeedsCatchUp(string job, BackupJobOptions o, DateTimeOffset now, TimeZoneInfo zone)
        => CatchUpState(job, o, now, zone) is ({ } previous, var newest) && Behind(previous, newest) ? previous : null;

    private static bool Behind(DateTimeOffset previous, BackupFile? newest) => newest is null || newest.Time < previous;

    /// <summary>The schedule's previous fire time and the newest backup on disk, read once for the decision and its log line.</summary>
    private static (DateTimeOffset? Previous, BackupFile? Newest) CatchUpState(string job, BackupJobOptions o, DateTimeOffset now, TimeZoneInfo zone)
    {
        var previous = ScheduleSpec.ParseCron(o.Schedule!).PreviousFireTime(now, zone);
        return previous is null ? (null, null) : (previous, BackupFileNames.Scan(o.Directory!, job, now) is [var first, ..] ? first : null);
    }
}
