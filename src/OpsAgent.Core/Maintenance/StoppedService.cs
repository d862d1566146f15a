namespace OpsAgent.Core.Maintenance;

/// <summary>A service the agent stopped on purpose (a container for a consistent volume backup, an application for a restore).</summary>
/// <param name="Target">What was stopped, as restart targets describe themselves (<c>container sims_backend</c>, <c>unit ujmp.service</c>).</param>
/// <param name="Job">The job that stopped it.</param>
/// <param name="Purpose">Why (<c>backup</c>, <c>restore</c>).</param>
/// <param name="StoppedAt">When it was stopped (written before the stop, so a crash in between still starts it again).</param>
public sealed record StoppedService(string Target, string Job, string Purpose, DateTimeOffset StoppedAt)
{
    /// <summary>When it was started again; null while it is down.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Until when its probes still do not count a failure after the start (it is coming up).</summary>
    public DateTimeOffset? HeldUntil { get; init; }

    /// <summary>The agent's process id when it stopped it, so a second process can tell an entry of a live run from a crashed one's.</summary>
    public int ProcessId { get; init; }
}
