using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Docker;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Maintenance;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Stops;

/// <summary>Services that were stopped together and are started again together (in reverse order).</summary>
/// <param name="Job">The job that stopped them.</param>
/// <param name="StateDirectory">Where the record of them is.</param>
/// <param name="Stopped">The ones that were running and were stopped (one already down is left down).</param>
/// <param name="StoppedAt">When the first was stopped.</param>
internal sealed record StoppedGroup(string Job, string StateDirectory, IReadOnlyList<StopTargetOptions> Stopped, DateTimeOffset StoppedAt);

/// <summary>Stops containers and units around a backup or a restore and always starts them again: on success, failure, timeout, stop, and after a crash at the next start.</summary>
internal sealed class ServiceStopper(DockerClientProvider docker, ToolRunner tools, StoppedServicesStore store, TimeProvider time, ILogger<ServiceStopper> logger)
{
    /// <summary>How long after its start a service's probes still do not count a failure: it is coming up.</summary>
    public static readonly TimeSpan HoldAfterStart = TimeSpan.FromMinutes(2);

    /// <summary>How long starting the services again may take; it is not cut short by the run's own cancellation.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Stops <paramref name="targets"/> in order; on any failure the ones already stopped are started again and the failure is thrown.</summary>
    /// <exception cref="Engines.BackupFailedException"><see cref="BackupReasons.StopFailed"/>: a service could not be stopped.</exception>
    public async Task<StoppedGroup> StopAsync(string stateDirectory, string job, string purpose, IReadOnlyList<StopTargetOptions> targets, TimeSpan stopTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var stopped = new List<StopTargetOptions>();
        var started = time.GetUtcNow();
        try
        {
            foreach (var target in targets)
            {
                var description = target.Describe();
                // Recorded first: an agent killed during the stop still starts it again at its next start.
                store.Add(stateDirectory, new StoppedService(description, job, purpose, time.GetUtcNow()) { ProcessId = Environment.ProcessId });
                bool wasRunning;
                try
                {
                    wasRunning = await StopOneAsync(target, stopTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or ToolStartException or TimeoutException)
                {
                    store.Remove(stateDirectory, description, job);
                    using (EventScope.Begin(logger, "service_stop_failed", ("Target", description)))
                    {
                        StopLog.StopFailed(logger, job, description, ex.Message);
                    }

                    throw new Engines.BackupFailedException(BackupReasons.StopFailed, $"cannot stop {description}: {ex.Message}");
                }

                if (!wasRunning)
                {
                    store.Remove(stateDirectory, description, job);
                    continue;
                }

                stopped.Add(target);
                using (EventScope.Begin(logger, "service_stopped", ("Target", description)))
                {
                    StopLog.Stopped(logger, job, description, purpose);
                }
            }
        }
        catch
        {
            await StartAsync(new StoppedGroup(job, stateDirectory, stopped, started)).ConfigureAwait(false);
            throw;
        }

        return new StoppedGroup(job, stateDirectory, stopped, started);
    }

    /// <summary>Starts the group's services again, last stopped first; returns the ones that would not start (each logged).</summary>
    /// <remarks>Runs on its own timeout, not the caller's token: a stopped or timed-out run must still leave the application up.</remarks>
    public async Task<IReadOnlyList<string>> StartAsync(StoppedGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        using var timeout = new CancellationTokenSource(StartTimeout, time);
        var failed = new List<string>();
        foreach (var target in group.Stopped.Reverse())
        {
            var description = target.Describe();
            try
            {
                await StartOneAsync(target, timeout.Token).ConfigureAwait(false);
                store.MarkStarted(group.StateDirectory, description, group.Job, time.GetUtcNow() + HoldAfterStart);
                using (EventScope.Begin(logger, "service_started", ("Target", description)))
                {
                    var down = (time.GetUtcNow() - group.StoppedAt).TotalSeconds;
                    StopLog.Started(logger, group.Job, description, down);
                }
            }
            catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or ToolStartException or OperationCanceledException or TimeoutException)
            {
                failed.Add(description);
                using (EventScope.Begin(logger, "service_start_failed", ("Target", description)))
                {
                    StopLog.StartFailed(logger, group.Job, description, ex is OperationCanceledException ? $"no answer within {StartTimeout.TotalSeconds:0}s" : ex.Message);
                }
            }
        }

        return failed;
    }

    /// <summary>At start-up: starts what a previous agent stopped and never started again (it was killed or the host lost power).</summary>
    /// <remarks>An entry of another live agent process (a <c>backup run</c> from the CLI still reading) is left alone.</remarks>
    public Task RecoverAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        // Nearly always nothing was left stopped: the work (and Docker.DotNet, which its catch names) is then never loaded.
        var stopped = store.Read(stateDirectory).Where(s => s.StartedAt is null && !IsAlive(s.ProcessId)).ToList();
        return stopped.Count == 0 ? Task.CompletedTask : RecoverAsync(stateDirectory, stopped, cancellationToken);
    }

    private async Task RecoverAsync(string stateDirectory, List<StoppedService> stopped, CancellationToken cancellationToken)
    {
        foreach (var left in stopped)
        {
            var target = Parse(left.Target);
            if (target is null)
            {
                store.Remove(stateDirectory, left.Target, left.Job);
                continue;
            }

            try
            {
                await StartOneAsync(target, cancellationToken).ConfigureAwait(false);
                store.MarkStarted(stateDirectory, left.Target, left.Job, time.GetUtcNow() + HoldAfterStart);
                using (EventScope.Begin(logger, "service_recovered", ("Target", left.Target)))
                {
                    StopLog.Recovered(logger, left.Job, left.Target, left.Purpose, left.StoppedAt);
                }
            }
            catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or ToolStartException or TimeoutException)
            {
                using (EventScope.Begin(logger, "service_start_failed", ("Target", left.Target)))
                {
                    StopLog.StartFailed(logger, left.Job, left.Target, ex.Message);
                }
            }
        }
    }

    /// <summary>True when <paramref name="processId"/> is another agent process still running (its command line names OpsAgent), so not a reused id after a reboot.</summary>
    private static bool IsAlive(int processId)
    {
        if (processId <= 0 || processId == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            return File.ReadAllText($"/proc/{processId}/cmdline").Contains("opsagent", StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static StopTargetOptions? Parse(string description)
        => description.StartsWith("container ", StringComparison.Ordinal) ? new StopTargetOptions { Container = description["container ".Length..] }
            : description.StartsWith("unit ", StringComparison.Ordinal) ? new StopTargetOptions { Unit = description["unit ".Length..] }
            : null;

    /// <returns>False when it was not running (nothing to stop, nothing to start afterwards).</returns>
    private async Task<bool> StopOneAsync(StopTargetOptions target, TimeSpan stopTimeout, CancellationToken cancellationToken)
    {
        if (target.Container is { } container)
        {
            var client = docker.Get();
            var inspect = await client.Containers.InspectContainerAsync(container, cancellationToken).ConfigureAwait(false);
            if (!inspect.State.Running)
            {
                return false;
            }

            // Docker sends SIGTERM, then SIGKILL after the wait: a PID 1 that ignores SIGTERM still stops.
            await client.Containers.StopContainerAsync(container, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Max(1, stopTimeout.TotalSeconds) }, cancellationToken).ConfigureAwait(false);
            return true;
        }

        var unit = target.Unit!;
        var (active, _) = await tools.RunAsync(new ToolCommand("systemctl", ["is-active", "--quiet", unit]), cancellationToken).ConfigureAwait(false);
        if (active.ExitCode != 0)
        {
            return false;
        }

        var (exit, output) = await tools.RunAsync(new ToolCommand("systemctl", ["stop", unit]), cancellationToken).ConfigureAwait(false);
        return exit.ExitCode == 0 ? true : throw new IOException($"systemctl stop {unit} exited with code {exit.ExitCode}: {(exit.StandardError + output).Trim()}");
    }

    private async Task StartOneAsync(StopTargetOptions target, CancellationToken cancellationToken)
    {
        if (target.Container is { } container)
        {
            await docker.Get().Containers.StartContainerAsync(container, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
            return;
        }

        var (exit, output) = await tools.RunAsync(new ToolCommand("systemctl", ["start", target.Unit!]), cancellationToken).ConfigureAwait(false);
        if (exit.ExitCode != 0)
        {
            throw new IOException($"systemctl start {target.Unit} exited with code {exit.ExitCode}: {(exit.StandardError + output).Trim()}");
        }
    }
}
