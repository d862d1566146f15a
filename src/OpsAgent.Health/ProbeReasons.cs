namespace OpsAgent.Health;

/// <summary>Probe reasons the agent itself gives or acts on, rather than only reports (docs/failure-reasons.md).</summary>
public static class ProbeReasons
{
    /// <summary>No answer within the probe's <c>Timeout</c>.</summary>
    public const string Timeout = "timeout";

    /// <summary>A probe type threw something it does not know as a target failure: a bug, reported rather than stopping the probe.</summary>
    public const string ProbeError = "probe_error";

    /// <summary>What a measuring probe looks at does not exist (a disk probe's <c>Path</c>, a log file, a unit's cgroup).</summary>
    public const string NotFound = "not_found";

    /// <summary>
    /// The host does not give a measuring probe its figure: a unit's control group without memory or CPU accounting (a cgroup v1
    /// hierarchy, a container without the controller), a <c>/proc</c> without the line. A restart cannot change that, so none is issued.
    /// </summary>
    public const string CannotMeasure = "cannot_measure";

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
