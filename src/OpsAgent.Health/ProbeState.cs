using OpsAgent.Health.Checks;

namespace OpsAgent.Health;

/// <summary>The live state of one probe: thresholds, restarts, verification and suppression.</summary>
internal sealed class ProbeState
{
    /// <summary>The last attempt.</summary>
    public ProbeResult? Last { get; internal set; }

    /// <summary>When the last attempt ran.</summary>
    public DateTimeOffset? LastRun { get; internal set; }

    /// <summary>When an attempt last succeeded.</summary>
    public DateTimeOffset? LastSuccess { get; internal set; }

    /// <summary>Consecutive failed attempts.</summary>
    public int ConsecutiveFailures { get; internal set; }

    /// <summary>Consecutive successful attempts.</summary>
    public int ConsecutiveSuccesses { get; internal set; }

    /// <summary>False once <c>FailureThreshold</c> failures in a row were seen, until <c>SuccessThreshold</c> successes.</summary>
    public bool Healthy { get; internal set; } = true;

    /// <summary>No restart before this (the start period after agent start or a restart).</summary>
    public DateTimeOffset GraceUntil { get; internal set; }

    /// <summary>Restart times (pruned to the window).</summary>
    internal List<DateTimeOffset> Restarts { get; } = [];

    /// <summary>Restarts in the current failing episode (drives the back-off).</summary>
    internal int EpisodeRestarts { get; set; }

    /// <summary>No further restart before this (back-off).</summary>
    internal DateTimeOffset NextRestartAllowed { get; set; }

    /// <summary>Set after a restart: verify until this time.</summary>
    internal DateTimeOffset? VerifyUntil { get; set; }

    /// <summary>When the restart being verified was issued.</summary>
    internal DateTimeOffset? RestartedAt { get; set; }

    /// <summary>What the last restart restarted: a reload may change or remove <c>Restart</c> while it is verified.</summary>
    internal string? RestartedTarget { get; set; }

    /// <summary>Past <c>MaxRestarts</c>: probed but never restarted until healthy.</summary>
    public bool Suppressed { get; internal set; }

    /// <summary>The last reason a restart was skipped (logged once per change).</summary>
    internal string? LastSkipReason { get; set; }

    /// <summary>Restarts by result (recovered, not_recovered, error).</summary>
    public long Recovered { get; internal set; }

    /// <summary>Restarts that did not bring the probe back within <c>VerifyTimeout</c>.</summary>
    public long NotRecovered { get; internal set; }

    /// <summary>Restarts that could not be issued.</summary>
    public long Errors { get; internal set; }

    /// <summary>True from a <c>probe_warning</c> until the <c>probe_ok</c> that ends it (said once each way).</summary>
    internal bool Warned { get; set; }

    /// <summary>The level for <c>opsagent_probe_level</c> and <c>/status</c>: critical while failing, else the last attempt's (a critical attempt below <c>FailureThreshold</c> shows as warning).</summary>
    public ProbeLevel Level => Last is null ? ProbeLevel.Ok : !Healthy ? ProbeLevel.Critical : Last.Level == ProbeLevel.Ok ? ProbeLevel.Ok : ProbeLevel.Warning;

    /// <summary>When <c>OnCritical</c> last ran (at most once per its window).</summary>
    internal DateTimeOffset? CommandRan { get; set; }

    /// <summary>True while a restart is being verified.</summary>
    public bool Verifying => VerifyUntil is not null;

    /// <summary>The state name for <c>/status</c>.</summary>
    public string Name => Suppressed ? "suppressed" : Verifying ? "restarting" : Healthy ? (Last is null ? "unknown" : Last.Success ? "healthy" : "degraded")
        : ProbeReasons.IsOperatorStop(Last?.Reason) ? "stopped" : "failing";
}
