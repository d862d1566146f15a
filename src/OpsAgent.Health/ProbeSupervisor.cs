using System.Globalization;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Docker;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Secrets;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Restarts;

namespace OpsAgent.Health;

/// <summary>Turns probe results into states, restarts, verification and storm control.</summary>
/// <remarks>
/// Verification is not a blocking loop: after a restart the probe's own next runs are the polls, so the state machine
/// is one step per result, driven the same way by the scheduler and by tests on a fake clock.
/// </remarks>
internal sealed class ProbeSupervisor(ProbeStateStore store, PauseStore pauses, IRestartTargetFactory targets, SecretRedactor redactor, TimeProvider time,
    ILogger<ProbeSupervisor> logger, Core.Maintenance.StoppedServicesStore? stopped = null, Core.Maintenance.BackupActivity? backups = null,
    Core.Processes.HostCommandRunner? commands = null, Core.Events.AgentEventHub? events = null)
{
    /// <summary>Records <paramref name="result"/> for <paramref name="probe"/> and acts on it.</summary>
    public async Task<ProbeState> StepAsync(string probe, ProbeOptions options, ProbesOptions all, string stateDirectory, ProbeResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(all);
        ArgumentNullException.ThrowIfNull(result);
        var now = time.GetUtcNow();
        var state = store.Get(probe, options.StartPeriod);
        state.Last = result with { Message = result.Message is null ? null : redactor.Redact(result.Message) };
        state.LastRun = now;
        var restart = options.Restart;
        IRestartTarget? target = restart is null ? null : targets.Create(restart);
        if (!result.Success && target is not null && stopped?.Holding(stateDirectory, target.Description) is { } hold)
        {
            // The agent stopped it on purpose (a consistent volume backup, a restore): not a failure, never a restart.
            ProbeLog.HeldByAgent(logger, probe, target.Description, hold.Job, hold.Purpose);
            return state;
        }

        if (result.Success)
        {
            state.ConsecutiveSuccesses++;
            state.ConsecutiveFailures = 0;
            state.LastSuccess = now;
        }
        else
        {
            state.ConsecutiveFailures++;
            state.ConsecutiveSuccesses = 0;
        }

        ProbeLog.Result(logger, probe, result.Success ? "success" : "failure", result.Reason ?? "-", result.Latency.TotalMilliseconds);
        // Every attempt, not only the changes the journal reports: a push monitor (Uptime Kuma) expects one per run.
        events?.Publish(new Core.Events.AgentEvent(Core.Events.AgentEventNames.ProbeAttempt, 0,
            result.Success ? Core.Events.AgentEventLevel.Information : Core.Events.AgentEventLevel.Error, state.Last.Message ?? (result.Success ? "ok" : result.Reason ?? "failure"), now,
            new Dictionary<string, string>
            {
                ["Probe"] = probe, ["Result"] = result.Success ? "success" : "failure", ["Reason"] = result.Reason ?? "",
                ["Milliseconds"] = result.Latency.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture),
            }));
        if (state.Verifying)
        {
            var restarted = state.RestartedTarget ?? target?.Description ?? "-";
            if (state.ConsecutiveSuccesses >= options.SuccessThreshold)
            {
                var seconds = (now - state.RestartedAt!.Value).TotalSeconds;
                state.VerifyUntil = null;
                state.Recovered++;
                using (EventScope.Begin(logger, "restart_recovered", ("Target", restarted)))
                {
                    ProbeLog.RestartRecovered(logger, probe, restarted, seconds);
                }

                BecomeHealthy(probe, state, $"recovered after restarting {restarted}");
                return state;
            }

            if (now < state.VerifyUntil)
            {
                return state;
            }

            state.VerifyUntil = null;
            state.NotRecovered++;
            if (restart is null || target is null)
            {
                // A reload removed Restart during the verification: nothing to read the logs of, but the outcome is still said.
                using (EventScope.Begin(logger, "restart_not_recovered", ("Target", restarted)))
                {
                    ProbeLog.RestartNotRecovered(logger, probe, restarted, now - state.RestartedAt!.Value, state.Last.Reason ?? "failing", 0,
                        "none (Restart was removed from the configuration during the verification)");
                }
            }
            else
            {
                await ReportNotRecoveredAsync(probe, restart, target, state, stateDirectory, now, cancellationToken).ConfigureAwait(false);
            }
        }

        if (state.Healthy && state.ConsecutiveFailures >= options.FailureThreshold)
        {
            state.Healthy = false;
            if (ProbeReasons.IsOperatorStop(result.Reason))
            {
                using (EventScope.Begin(logger, "probe_stopped", (EventScope.Priority, EventScope.Notice)))
                {
                    ProbeLog.Stopped(logger, probe, result.Reason!, state.Last.Message ?? "");
                }
            }
            else
            {
                using (EventScope.Begin(logger, "probe_failing", ("Lines", state.Last.Lines)))
                {
                    ProbeLog.Failing(logger, probe, result.Reason ?? "failure", state.ConsecutiveFailures, state.Last.Message ?? "");
                }
            }
        }
        else if (!state.Healthy && state.ConsecutiveSuccesses >= options.SuccessThreshold)
        {
            BecomeHealthy(probe, state, state.Last.Message ?? "ok");
        }

        ReportWarning(probe, state, result);
        if (!state.Healthy && result.Level == ProbeLevel.Critical && options.OnCritical is { Command: { } command } onCritical && commands is not null
            && (state.CommandRan is not { } ran || now - ran >= onCritical.Window))
        {
            state.CommandRan = now;
            await RunOnCriticalAsync(probe, command, onCritical.Timeout, cancellationToken).ConfigureAwait(false);
        }

        if (!state.Healthy && restart is not null)
        {
            await ConsiderRestartAsync(probe, options, restart, target!, all, stateDirectory, state, now, cancellationToken).ConfigureAwait(false);
        }

        return state;
    }

    /// <summary>Runs the probe's <c>OnCritical</c> command (split, not a shell) with its timeout; what it printed goes to the journal.</summary>
    private async Task RunOnCriticalAsync(string probe, string line, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string result, output;
        if (!Core.Processes.ShellWords.TrySplitCommand(line, out var words, out var problem))
        {
            (result, output) = ("not run", problem ?? "");
        }
        else
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                var (exit, stdout, _) = await commands!.RunAsync("probe-command", probe, new Core.Processes.ToolCommand(words[0], [.. words.Skip(1)]), timeout, limit.Token).ConfigureAwait(false);
                (result, output) = (exit.ExitCode == 0 ? "succeeded" : $"exited with code {exit.ExitCode}", (stdout + exit.StandardError).Trim());
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                (result, output) = ("timed out", $"still running after {timeout}: stopped");
            }
            catch (Core.Processes.ToolStartException ex)
            {
                (result, output) = ("could not start", ex.Message);
            }
        }

        using (EventScope.Begin(logger, "probe_command", ("Result", result)))
        {
            ProbeLog.Command(logger, probe, line, result, redactor.Redact(output));
        }
    }

    /// <summary>A warning is said when entered and when left for ok, never on every run; a critical one goes through failing/recovered.</summary>
    private void ReportWarning(string probe, ProbeState state, ProbeResult result)
    {
        if (result.Level == ProbeLevel.Warning && !state.Warned && state.Healthy)
        {
            state.Warned = true;
            using (EventScope.Begin(logger, "probe_warning", ("Lines", state.Last!.Lines)))
            {
                ProbeLog.Warning(logger, probe, result.Reason ?? "warning", state.Last!.Message ?? "");
            }
        }
        else if (result.Level == ProbeLevel.Ok && state.Warned)
        {
            state.Warned = false;
            using (EventScope.Begin(logger, "probe_ok"))
            {
                ProbeLog.Ok(logger, probe, state.Last!.Message ?? "ok");
            }
        }
    }

    private void BecomeHealthy(string probe, ProbeState state, string detail)
    {
        var wasHealthy = state.Healthy;
        state.Healthy = true;
        state.Suppressed = false;
        state.EpisodeRestarts = 0;
        state.NextRestartAllowed = default;
        state.LastSkipReason = null;
        if (!wasHealthy)
        {
            using (EventScope.Begin(logger, "probe_recovered"))
            {
                ProbeLog.Recovered(logger, probe, detail);
            }
        }
    }

    private async Task ConsiderRestartAsync(string probe, ProbeOptions options, RestartOptions restart, IRestartTarget target, ProbesOptions all, string stateDirectory,
        ProbeState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (state.Suppressed)
        {
            return;
        }

        state.Restarts.RemoveAll(t => t <= now - restart.Window);
        var skip = state.Last?.Reason == ProbeReasons.CannotMeasure ? RestartReasons.CannotMeasure
            : now < state.GraceUntil ? RestartReasons.StartPeriod
            : pauses.PausedUntil(stateDirectory, probe) is { } until ? $"{RestartReasons.PausedUntilPrefix}{until.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}"
            : options.DependsOn.FirstOrDefault(d => all.Probes.ContainsKey(d) && store.Find(d) is { Healthy: false }) is { } dependency ? $"{RestartReasons.DependencyFailingPrefix}{dependency}"
            // A restart in the middle of a dump would cut it; the failures still count and the restart comes after it.
            : backups?.RunningFor((restart.Target as Restarts.Container.ContainerTargetOptions)?.Container, options.PauseDuringBackups) is { } job ? $"{RestartReasons.BackupRunningPrefix}{job}"
            : null;
        if (skip is not null)
        {
            Skip(probe, target, state, skip);
            return;
        }

        if (state.Restarts.Count >= restart.MaxRestarts)
        {
            state.Suppressed = true;
            using (EventScope.Begin(logger, "restart_suppressed", ("Target", target.Description)))
            {
                ProbeLog.Suppressed(logger, probe, state.Restarts.Count, target.Description, restart.Window);
            }

            return;
        }

        if (now < state.NextRestartAllowed)
        {
            return;
        }

        string? guard;
        try
        {
            guard = await target.ReasonToSkipAsync(action =>
            {
                using (EventScope.Begin(logger, "restart_prepared"))
                {
                    ProbeLog.Prepared(logger, probe, action);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            guard = $"target_unreachable:{ex.GetType().Name}";
        }

        if (guard is not null)
        {
            Skip(probe, target, state, guard);
            return;
        }

        state.Restarts.Add(now);
        state.EpisodeRestarts++;
        var backoff = TimeSpan.FromTicks(Math.Min(restart.Backoff.Max.Ticks, restart.Backoff.Initial.Ticks * (1L << Math.Min(state.EpisodeRestarts - 1, 30))));
        state.NextRestartAllowed = now + backoff;
        state.GraceUntil = now + options.StartPeriod;
        state.LastSkipReason = null;
        var reason = state.Last?.Reason ?? "failing";
        // Said at every restart, not only when the file was read: this restart may be one the operator declared a pause against.
        var pauseFile = pauses.Unreadable(stateDirectory) is null ? null : PauseStore.UnreadableField;
        using (EventScope.Begin(logger, "restart_started", ("Target", target.Description), ("PauseFile", pauseFile)))
        {
            ProbeLog.RestartStarted(logger, probe, target.Description, reason, state.Restarts.Count, restart.MaxRestarts, restart.Window);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            // A main process that ignores SIGTERM (a shell-form command) holds the call for the whole stop timeout.
            limit.CancelAfter(target.StopAllowance + restart.VerifyTimeout);
            await target.RestartAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The engine or systemd may still complete it: the probe judges, as after any restart.
            ProbeLog.RestartCallTimedOut(logger, probe, target.Description, target.StopAllowance + restart.VerifyTimeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A unit whose start fails (ExecStartPre, a crash at start) is the case where its log matters most.
            state.Errors++;
            var (file, captured) = await CaptureIncidentAsync(probe, restart, target, state, stateDirectory, now, $"restart_error: {ex.Message}", cancellationToken).ConfigureAwait(false);
            using (EventScope.Begin(logger, "restart_not_recovered", ("Reason", RestartReasons.RestartError), ("Target", target.Description), ("Log", captured), ("IncidentFile", file)))
            {
                ProbeLog.RestartFailed(logger, probe, target.Description, redactor.Redact(ex.Message));
            }

            return;
        }

        state.ConsecutiveSuccesses = 0;
        state.RestartedAt = now;
        state.RestartedTarget = target.Description;
        state.VerifyUntil = Max(now, time.GetUtcNow()) + restart.VerifyTimeout;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private void Skip(string probe, IRestartTarget target, ProbeState state, string reason)
    {
        // Logged when the reason changes, not on every probe run.
        if (state.LastSkipReason == reason)
        {
            return;
        }

        state.LastSkipReason = reason;
        if (ProbeReasons.IsOperatorStop(state.Last?.Reason))
        {
            // Already said at notice by probe_stopped; not restarting a stopped target is the intended outcome.
            return;
        }

        using (EventScope.Begin(logger, "restart_skipped", ("Target", target.Description)))
        {
            ProbeLog.RestartSkipped(logger, probe, target.Description, reason);
        }
    }

    private async Task ReportNotRecoveredAsync(string probe, RestartOptions restart, IRestartTarget target, ProbeState state, string stateDirectory, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var reason = state.Last?.Reason ?? "failing";
        var (file, captured) = await CaptureIncidentAsync(probe, restart, target, state, stateDirectory, now, $"{reason}: {state.Last?.Message}", cancellationToken).ConfigureAwait(false);
        var lines = captured.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        using (EventScope.Begin(logger, "restart_not_recovered", ("Target", target.Description), ("Log", captured)))
        {
            ProbeLog.RestartNotRecovered(logger, probe, target.Description, restart.VerifyTimeout, reason, lines, file);
        }
    }

    /// <summary>Captures the target's last log lines into <c>StateDirectory/incidents/&lt;probe&gt;_&lt;UTC&gt;.log</c>; returns the file (or why not) and the lines.</summary>
    private async Task<(string File, string Captured)> CaptureIncidentAsync(string probe, RestartOptions restart, IRestartTarget target, ProbeState state, string stateDirectory,
        DateTimeOffset now, string problem, CancellationToken cancellationToken)
    {
        string captured;
        try
        {
            captured = restart.CaptureLogLines == 0 ? "" : await target.CaptureLogsAsync(restart.CaptureLogLines, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            captured = $"(the log could not be captured: {ex.Message})";
        }

        captured = redactor.Redact(captured);
        var directory = Path.Combine(stateDirectory, "incidents");
        var file = Path.Combine(directory, $"{probe}_{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.log");
        try
        {
            Directory.CreateDirectory(directory);
            var header = $"""
                probe: {probe}
                target: {target.Description}
                restarted: {(state.RestartedAt ?? now).UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}
                reported: {now.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}
                problem: {redactor.Redact(problem)}
                --- last {restart.CaptureLogLines} log lines ---

                """;
            await File.WriteAllTextAsync(file, header + captured, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            file = $"(not written: {ex.Message})";
        }

        return (file, captured);
    }
}
