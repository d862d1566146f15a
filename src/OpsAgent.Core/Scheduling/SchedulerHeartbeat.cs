using OpsAgent.Core.Systemd;
using Quartz;

namespace OpsAgent.Core.Scheduling;

/// <summary>Liveness of the scheduler, as observed from a job the scheduler itself fires.</summary>
/// <remarks>
/// The watchdog ping is sent from inside a Quartz job rather than from a timer, so a scheduler that stops firing
/// (deadlock, exhausted worker pool, standby) stops the pings and systemd restarts the agent.
/// </remarks>
public sealed class SchedulerHeartbeat(TimeProvider time)
{
    private long _lastBeatUnixMs;

    /// <summary>The heartbeat period.</summary>
    public TimeSpan Interval { get; internal set; } = TimeSpan.FromSeconds(5);

    /// <summary>The last beat, or null before the first.</summary>
    public DateTimeOffset? LastBeat => Interlocked.Read(ref _lastBeatUnixMs) is var ms and > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>Whether a beat arrived within three intervals.</summary>
    public bool IsFresh => LastBeat is { } last && time.GetUtcNow() - last <= (Interval * 3) + TimeSpan.FromSeconds(1);

    internal void Beat() => Interlocked.Exchange(ref _lastBeatUnixMs, time.GetUtcNow().ToUnixTimeMilliseconds());
}

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
