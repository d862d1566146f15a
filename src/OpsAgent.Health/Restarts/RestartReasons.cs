namespace OpsAgent.Health.Restarts;

/// <summary>Why a restart was not issued or did not help (<c>OPSAGENT_REASON</c> of <c>restart_skipped</c> and <c>restart_not_recovered</c>; docs/failure-reasons.md).</summary>
public static class RestartReasons
{
    /// <summary>Inside <c>StartPeriod</c> after the agent started or after a restart.</summary>
    public const string StartPeriod = "start_period";

    /// <summary>Prefix of <c>paused_until:&lt;time&gt;</c>: <c>opsagent pause</c> is in force.</summary>
    public const string PausedUntilPrefix = "paused_until:";

    /// <summary>Prefix of <c>dependency_failing:&lt;probe&gt;</c>: a probe in <c>DependsOn</c> is failing.</summary>
    public const string DependencyFailingPrefix = "dependency_failing:";

    /// <summary>A backup job is dumping from the target (its <c>Container</c>) or is named in <c>PauseDuringBackups</c>: <c>backup_running:&lt;job&gt;</c>.</summary>
    public const string BackupRunningPrefix = "backup_running:";

    /// <summary>The unit or container was stopped on purpose (systemctl stop, docker stop/kill).</summary>
    public const string OperatorStopped = "operator_stopped";

    /// <summary>The container or service was paused (<c>docker pause</c>, a paused Windows service).</summary>
    public const string OperatorPaused = "operator_paused";

    /// <summary>The unit is not installed.</summary>
    public const string UnitMissing = "unit_missing";

    /// <summary>The container does not exist.</summary>
    public const string ContainerMissing = "container_missing";

    /// <summary>The container is being restarted by the engine (its restart policy).</summary>
    public const string ContainerRestarting = "container_restarting";

    /// <summary>A Windows service is starting, stopping, pausing or continuing.</summary>
    public const string ServiceTransitioning = "service_transitioning";

    /// <summary>The probe cannot measure on this host (<c>cannot_measure</c>): restarting what it watches would change nothing.</summary>
    public const string CannotMeasure = "cannot_measure";

    /// <summary>The restart call itself failed.</summary>
    public const string RestartError = "restart_error";
}
