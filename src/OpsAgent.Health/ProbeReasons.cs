namespace OpsAgent.Health;

/// <summary>Probe reasons the agent acts on, rather than only reports.</summary>
public static class ProbeReasons
{
    /// <summary>A systemd unit stopped cleanly (<c>systemctl stop</c>, or a oneshot that finished).</summary>
    public const string UnitStopped = "unit_stopped";

    /// <summary>A container that exited with code 0 (<c>docker stop</c> of a process that honours SIGTERM, or a finished task).</summary>
    public const string ContainerStopped = "container_stopped";

    /// <summary>
    /// Whether <paramref name="reason"/> is a target someone stopped on purpose: the probe is <c>stopped</c>, logged at notice
    /// rather than as a failure, and still unhealthy in metrics (what it guards is down).
    /// </summary>
    public static bool IsOperatorStop(string? reason) => reason is UnitStopped or ContainerStopped;
}
