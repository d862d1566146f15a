namespace OpsAgent.Health.Restarts;

/// <summary>A unit's state as <c>systemctl show</c> reports it.</summary>
/// <param name="LoadState"><c>loaded</c>, <c>not-found</c>...</param>
/// <param name="ActiveState"><c>active</c>, <c>activating</c>, <c>deactivating</c>, <c>reloading</c>, <c>inactive</c>, <c>failed</c>.</param>
/// <param name="SubState"><c>running</c>, <c>exited</c>, <c>dead</c>, <c>start-limit-hit</c>...</param>
/// <param name="Result"><c>success</c>, <c>exit-code</c>, <c>start-limit-hit</c>...</param>
internal sealed record UnitState(string LoadState, string ActiveState, string SubState, string Result)
{
    /// <summary>A deploy or an operator is changing the unit right now.</summary>
    public bool IsTransitioning => ActiveState is "activating" or "deactivating" or "reloading" or "refreshing";

    /// <summary>Stopped cleanly (by <c>systemctl stop</c>, or a oneshot that finished): not something to start behind an operator's back.</summary>
    public bool StoppedCleanly => ActiveState == "inactive" && Result == "success";

    /// <summary>systemd refuses to start it until <c>reset-failed</c>.</summary>
    public bool StartLimitHit => Result == "start-limit-hit" || SubState == "start-limit-hit";

    /// <summary>One line for logs.</summary>
    public override string ToString() => $"{ActiveState} ({SubState}, result {Result})";
}
