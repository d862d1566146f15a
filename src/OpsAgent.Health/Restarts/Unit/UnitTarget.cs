namespace OpsAgent.Health.Restarts.Unit;

/// <summary>A systemd unit, restarted with <c>systemctl restart</c>.</summary>
internal sealed class UnitTarget(string unit, Systemctl systemctl) : IRestartTarget
{
    public string Description => $"unit {unit}";

    public TimeSpan StopAllowance => TimeSpan.Zero;

    public async Task<string?> ReasonToSkipAsync(Action<string> prepared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var state = await systemctl.ShowAsync(unit, cancellationToken).ConfigureAwait(false);
        if (state.LoadState == "not-found")
        {
            return RestartReasons.UnitMissing;
        }

        if (state.IsTransitioning)
        {
            // systemctl restart would queue behind (or cancel) whatever a deploy or an operator is doing.
            return $"unit_{state.ActiveState}";
        }

        if (state.StoppedCleanly)
        {
            return RestartReasons.OperatorStopped;
        }

        // A failed unit may have hit its start rate limit: systemd then refuses "systemctl restart" ("Start request repeated
        // too quickly") without always saying so in Result. reset-failed clears both; the agent's own MaxRestarts and
        // back-off take over the protection against restart loops.
        if (state.ActiveState == "failed" || state.StartLimitHit)
        {
            await systemctl.RunAsync("reset-failed", unit, cancellationToken).ConfigureAwait(false);
            prepared($"systemctl reset-failed {unit} (it was {state})");
        }

        return null;
    }

    public Task RestartAsync(CancellationToken cancellationToken) => systemctl.RunAsync("restart", unit, cancellationToken);

    public async Task<string> CaptureLogsAsync(int lines, CancellationToken cancellationToken)
    {
        // The unit's output reaches journald through a stream: right after a failed start its last lines may not be
        // indexed yet, and they are the ones that say why.
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        return await systemctl.JournalAsync(unit, lines, cancellationToken).ConfigureAwait(false);
    }
}
