namespace OpsAgent.Core.Processes;

/// <summary>Why a tool could not be started: the reason a run reports, so the operator looks in the right place.</summary>
public static class ToolStartReasons
{
    /// <summary>The executable is not installed (on the host, or in the container).</summary>
    public const string ToolMissing = "tool_missing";

    /// <summary>The container named in the configuration does not exist.</summary>
    public const string ContainerMissing = "container_missing";

    /// <summary>The container exists but is stopped or paused.</summary>
    public const string ContainerNotRunning = "container_not_running";

    /// <summary>The Docker endpoint does not answer.</summary>
    public const string DockerUnreachable = "docker_unreachable";

    /// <summary>systemd refused to start a host command as a transient unit (D-Bus to PID 1 denied, the unit name taken).</summary>
    public const string TransientUnitFailed = "transient_unit_failed";
}
