using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Systemd;
using Quartz;
using OpsAgent.Core.Logging;

namespace OpsAgent.Core.Scheduling;

/// <summary>Owns the Quartz scheduler: starts it, keeps its jobs in line with the configuration, and reports readiness to systemd.</summary>
/// <remarks>
/// Reconciliation only touches what changed: a job whose schedule changed gets a new trigger, a removed job is deleted
/// (a run in progress finishes undisturbed), an added job is scheduled. Only stopping the agent cancels running jobs. Nothing is rebuilt
/// wholesale, so unchanged jobs keep their fire times and history.
/// </remarks>
public sealed partial class AgentScheduler : IHostedService, IConfigurationApplier, IDisposable
{
    private readonly ISchedulerFactory _factory;
    private readonly AgentConfigurationManager _configuration;
    private readonly JobStatusStore _status;
    private readonly SchedulerHeartbeat _heartbeat;
    private readonly SystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentScheduler> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<JobKey, AgentJobDefinition> _applied = [];
    private readonly CancellationTokenSource _stopping = new();
    private TimeZoneInfo? _appliedZone;
    private IScheduler? _scheduler;

    /// <summary>Creates the service.</summary>
    public AgentScheduler(ISchedulerFactory factory, AgentConfigurationManager configuration, JobStatusStore status, SchedulerHeartbeat heartbeat,
        SystemdNotifier notifier, TimeProvider time, ILogger<AgentScheduler> logger)
    {
        _factory = factory;
        _configuration = configuration;
        _status = status;
        _heartbeat = heartbeat;
        _notifier = notifier;
        _time = time;
        _logger = logger;
    }

    /// <summary>The schedule time zone in force.</summary>
    public TimeZoneInfo TimeZone => _appliedZone ?? TimeZoneInfo.Local;

    /// <summary>The Quartz scheduler, once started.</summary>
    internal IScheduler? Scheduler => _scheduler;

    /// <summary>True while the scheduler is started, not in standby, and its heartbeat is fresh.</summary>
    public bool IsRunning => _scheduler is { Status: SchedulerStatus.Running } && _heartbeat.IsFresh;

    /// <summary>Why <see cref="IsRunning"/> is false.</summary>
    public string Condition => _scheduler switch
    {
        null => "not started",
        { Status: SchedulerStatus.Shutdown or SchedulerStatus.ShuttingDown } => "shut down",
        { Status: SchedulerStatus.Standby } => "standby",
        { Status: not SchedulerStatus.Running } => "not started",
        _ when !_heartbeat.IsFresh => "heartbeat stale",
        _ => "running",
    };

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = await _factory.GetScheduler(cancellationToken).ConfigureAwait(false);
        var watchdog = _notifier.WatchdogTimeout;
        _heartbeat.Interval = watchdog is { } w ? TimeSpan.FromTicks(Math.Max(w.Ticks / 2, TimeSpan.FromMilliseconds(50).Ticks)) : TimeSpan.FromSeconds(5);
        if (_heartbeat.Interval > TimeSpan.FromSeconds(5))
        {
            _heartbeat.Interval = TimeSpan.FromSeconds(5);
        }

        await ReconcileAsync(_configuration.Current, cancellationToken).ConfigureAwait(false);
        var heartbeatJob = JobBuilder.Create<HeartbeatJob>().WithIdentity(HeartbeatJob.Key).Build();
        var heartbeatTrigger = TriggerBuilder.Create(_time).WithIdentity(HeartbeatJob.Key.Name, HeartbeatJob.Group).StartNow()
            .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(_heartbeat.Interval).RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        await _scheduler.ScheduleJob(heartbeatJob, [heartbeatTrigger], ScheduleJobOptions.Replacing, cancellationToken).ConfigureAwait(false);
        await _scheduler.Start(cancellationToken).ConfigureAwait(false);
        _heartbeat.Beat();
        LogStarted(_logger, _configuration.Current.Jobs.Count, _heartbeat.Interval.TotalMilliseconds, watchdog?.TotalSeconds ?? 0);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _notifier.Stopping();
        if (_scheduler is not null)
        {
            // Standby first, so no trigger fires between the interrupts and the shutdown; then cancel each running job's
            // token (Quartz's shutdown waits for jobs but does not cancel them: a dump would run to its end and publish),
            // and wait for them to clean up; the host's shutdown timeout bounds the wait.
            await _scheduler.Standby(cancellationToken).ConfigureAwait(false);
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            List<JobKey> keys;
            try
            {
                keys = [.. _applied.Keys];
            }
            finally
            {
                _gate.Release();
            }

            foreach (var key in keys)
            {
                if (await _scheduler.Interrupt(key, cancellationToken).ConfigureAwait(false))
                {
                    LogInterrupted(_logger, key.Group, key.Name);
                }
            }

            await _scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The previous and next fire times of a job (both null when it is not scheduled), from one trigger lookup.</summary>
    public async Task<(DateTimeOffset? Previous, DateTimeOffset? Next)> FireTimesAsync(JobKey key, CancellationToken cancellationToken)
    {
        if (_scheduler is null || _scheduler.Status is SchedulerStatus.Shutdown or SchedulerStatus.ShuttingDown)
        {
            return (null, null);
        }

        var trigger = await _scheduler.GetTrigger(new TriggerKey(key.Name, key.Group), cancellationToken).ConfigureAwait(false);
        return (trigger?.PreviousFireTimeUtc, trigger?.NextFireTimeUtc);
    }

    /// <summary>Fires a job now, outside its schedule (for example a catch-up run).</summary>
    public async Task TriggerNowAsync(JobKey key, CancellationToken cancellationToken)
    {
        if (_scheduler is not null)
        {
            await _scheduler.TriggerJob(key, new JobDataMap(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Brings the scheduler's jobs in line with <paramref name="configuration"/>.</summary>
    public async Task ReconcileAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var scheduler = _scheduler ?? throw new InvalidOperationException("the scheduler has not been created");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var zoneChanged = _appliedZone is not null && !_appliedZone.Equals(configuration.TimeZone);
            _appliedZone = configuration.TimeZone;
            // Before any trigger that names it: fixed-time jobs skip the repeated hour's second pass in this zone.
            await scheduler.AddCalendar(RepeatedHourCalendar.NameFor(configuration.TimeZone), new RepeatedHourCalendar(configuration.TimeZone),
                new AddCalendarOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
            var desired = configuration.Jobs.ToDictionary(j => j.JobKey);

            foreach (var key in _applied.Keys.Where(k => !desired.ContainsKey(k)).ToList())
            {
                await scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
                _applied.Remove(key);
                _status.Remove(key);
                LogJobRemoved(_logger, key.Group, key.Name);
            }

            foreach (var (key, job) in desired)
            {
                if (!_applied.TryGetValue(key, out var previous) || previous.JobType != job.JobType || previous.Fingerprint != job.Fingerprint)
                {
                    var detail = JobBuilder.Create().OfType(job.JobType).WithIdentity(key).StoreDurably().WithDescription(job.Description).Build();
                    await scheduler.ScheduleJob(detail, [BuildTrigger(job, configuration.TimeZone)], ScheduleJobOptions.Replacing, cancellationToken).ConfigureAwait(false);
                    if (previous is null)
                    {
                        LogJobAdded(_logger, key.Group, key.Name, job.Schedule.Text);
                    }
                    else
                    {
                        LogJobReplaced(_logger, key.Group, key.Name, job.Schedule.Text);
                    }
                }
                else if (!previous.Schedule.Equals(job.Schedule) || previous.Misfire != job.Misfire || (zoneChanged && job.Schedule.QuartzCron is not null))
                {
                    await scheduler.RescheduleJob(new TriggerKey(key.Name, key.Group), BuildTrigger(job, configuration.TimeZone), cancellationToken).ConfigureAwait(false);
                    LogJobRescheduled(_logger, key.Group, key.Name, previous.Schedule.Text, job.Schedule.Text);
                }

                // After the trigger, so /status never shows a schedule whose trigger is not in place yet.
                _status.Upsert(job, configuration);
                _applied[key] = job;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private ITrigger BuildTrigger(AgentJobDefinition job, TimeZoneInfo zone) => BuildTrigger(job, zone, _time);

    /// <summary>The trigger of <paramref name="job"/>, starting now on <paramref name="time"/>'s clock.</summary>
    internal static ITrigger BuildTrigger(AgentJobDefinition job, TimeZoneInfo zone, TimeProvider time)
    {
        var builder = TriggerBuilder.Create(time).WithIdentity(job.Name, job.Kind).ForJob(job.JobKey).StartNow();
        if (job.Schedule.Every is { } every)
        {
            return builder.WithSchedule(SimpleScheduleBuilder.Create().WithInterval(every).RepeatForever()
                .WithMisfireInstruction(job.Misfire == MisfirePolicy.FireOnce ? SimpleTriggerMisfireInstruction.FireNow : SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                .Build();
        }

        if (job.Schedule.IsFixedTime)
        {
            builder = builder.WithCalendarName(RepeatedHourCalendar.NameFor(zone));
        }

        return builder.WithSchedule(CronScheduleBuilder.Create(job.Schedule.ToCronExpression(zone)).InTimeZone(zone)
            .WithMisfireInstruction(job.Misfire == MisfirePolicy.FireOnce ? CronTriggerMisfireInstruction.FireAndProceed : CronTriggerMisfireInstruction.DoNothing))
            .Build();
    }

    /// <summary>A reload's step: the new configuration's jobs scheduled (before start, <see cref="StartAsync"/> schedules what is current).</summary>
    async Task IConfigurationApplier.ApplyAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
    {
        if (_scheduler is not null)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            await ReconcileAsync(configuration, linked.Token).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = EventIds.Scheduler.Started, Level = LogLevel.Information, Message = "Scheduler started with {JobCount} jobs; heartbeat every {HeartbeatMs} ms, watchdog {WatchdogSeconds} s")]
    private static partial void LogStarted(ILogger logger, int jobCount, double heartbeatMs, double watchdogSeconds);

    [LoggerMessage(EventId = EventIds.Scheduler.JobAdded, Level = LogLevel.Information, Message = "Scheduled {Kind} job {Job}: {Schedule}")]
    private static partial void LogJobAdded(ILogger logger, string kind, string job, string schedule);

    [LoggerMessage(EventId = EventIds.Scheduler.JobRescheduled, Level = LogLevel.Information, Message = "Rescheduled {Kind} job {Job}: {OldSchedule} -> {Schedule}")]
    private static partial void LogJobRescheduled(ILogger logger, string kind, string job, string oldSchedule, string schedule);

    [LoggerMessage(EventId = EventIds.Scheduler.JobRemoved, Level = LogLevel.Information, Message = "Removed {Kind} job {Job}; a run in progress finishes")]
    private static partial void LogJobRemoved(ILogger logger, string kind, string job);

    [LoggerMessage(EventId = EventIds.Scheduler.JobReplaced, Level = LogLevel.Information, Message = "Replaced {Kind} job {Job}: {Schedule}")]
    private static partial void LogJobReplaced(ILogger logger, string kind, string job, string schedule);

    [LoggerMessage(EventId = EventIds.Scheduler.Interrupted, Level = LogLevel.Information, Message = "Stopping: cancelled the running {Kind} job {Job}")]
    private static partial void LogInterrupted(ILogger logger, string kind, string job);

    /// <inheritdoc />
    public void Dispose()
    {
        _gate.Dispose();
        _stopping.Dispose();
    }
}
