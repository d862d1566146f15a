using OpsAgent.Core.Systemd;
using Quartz;

namespace OpsAgent.Core.Scheduling;

/// <summary>The scheduler's own heartbeat: marks liveness and sends <c>WATCHDOG=1</c> and <c>STATUS=</c>.</summary>
/// <param name="heartbeat">The liveness record.</param>
/// <param name="notifier">The sd_notify client.</param>
/// <param name="statusLine">Builds the one-line status.</param>
[DisallowConcurrentExecution]
public sealed class HeartbeatJob(SchedulerHeartbeat heartbeat, SystemdNotifier notifier, StatusLine statusLine) : IJob
{
    /// <summary>The internal job group, hidden from <c>/status</c>.</summary>
    public const string Group = "opsagent-internal";

    /// <summary>The job key.</summary>
    public static readonly JobKey Key = new("heartbeat", Group);

    /// <inheritdoc />
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        heartbeat.Beat();
        if (notifier.Enabled)
        {
            notifier.Heartbeat(await statusLine.BuildAsync(cancellationToken).ConfigureAwait(false));
        }
    }
}
