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
