using Microsoft.Extensions.Logging;
using Quartz;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Logging;

namespace OpsAgent.Core.Scheduling;

/// <summary>Base class of the agent's Quartz jobs: records start, outcome and timing, and turns exceptions into redacted failures.</summary>
/// <remarks>
/// Concurrency is disallowed: a backup that overruns its schedule must not start a second dump of the same database, and
/// a probe must not pile up behind a hung endpoint.
/// </remarks>
[DisallowConcurrentExecution]
public abstract partial class AgentJob : IJob
{
    /// <summary>Creates the job.</summary>
    protected AgentJob(AgentJobServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
        Logger = services.LoggerFactory.CreateLogger(GetType());
    }

    /// <summary>Shared services.</summary>
    protected AgentJobServices Services { get; }

    /// <summary>This job's logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>
    /// True when the work records its own start and end in <see cref="JobStatusStore"/>: runs of it start elsewhere too (a
    /// backup run asked for over the control socket), and all of them must land in the same state, once.
    /// </summary>
    protected virtual bool RecordsOwnStatus => false;

    /// <inheritdoc />
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = context.JobDetail.Key;
        // A job fired while a reload is applied runs on the generation that stays, not on one that may be rolled back.
        AgentConfiguration configuration;
        try
        {
            configuration = await Services.Configuration.SettledAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        var started = Services.Time.GetUtcNow();
        var run = new JobRunContext(key, configuration, context.ScheduledFireTimeUtc, started);
        if (!RecordsOwnStatus)
        {
            Services.Status.Started(key, started);
        }

        JobOutcome outcome;
        try
        {
            outcome = await RunAsync(run, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = JobOutcome.Fail(JobReasons.Cancelled, "the agent is stopping");
        }
        catch (Exception ex)
        {
            outcome = JobOutcome.Fail(JobReasons.Exception, ex.Message);
            LogJobCrashed(Logger, key.Group, key.Name, Services.Redactor.Redact(ex.GetType().Name + ": " + ex.Message));
        }

        if (!RecordsOwnStatus)
        {
            outcome = outcome with { Message = outcome.Message is null ? null : Services.Redactor.Redact(outcome.Message) };
            Services.Status.Finished(key, outcome, Services.Time.GetUtcNow());
        }
    }

    /// <summary>Does the job's work.</summary>
    protected abstract Task<JobOutcome> RunAsync(JobRunContext run, CancellationToken cancellationToken);

    [LoggerMessage(EventId = EventIds.Jobs.JobCrashed, Level = LogLevel.Error, Message = "{Kind} job {Job} crashed: {Error}")]
    private static partial void LogJobCrashed(ILogger logger, string kind, string job, string error);
}
