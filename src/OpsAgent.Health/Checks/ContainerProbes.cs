using System.Diagnostics;
using Docker.DotNet;
using OpsAgent.Core.Docker;
using OpsAgent.Health.Restarts;

namespace OpsAgent.Health.Checks;

/// <summary>Docker probe: the container is running and, when it has a HEALTHCHECK, <c>healthy</c>.</summary>
public sealed class DockerProbe(DockerClientProvider docker) : IProbeCheck
{
    /// <inheritdoc />
    public ProbeType Type => ProbeType.Docker;

    /// <inheritdoc />
    public async Task<ProbeResult> CheckAsync(string probe, ProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        try
        {
            var container = await docker.Get().Containers.InspectContainerAsync(options.Container!, cancellationToken).ConfigureAwait(false);
            var state = container.State;
            if (state.Paused)
            {
                return ProbeResult.Fail("container_paused", $"{options.Container} is paused", clock.Elapsed);
            }

            if (state.Restarting)
            {
                return ProbeResult.Fail("container_restarting", $"{options.Container} is restarting (restart count {container.RestartCount})", clock.Elapsed);
            }

            if (!state.Running && state.Status == "exited" && state.ExitCode == 0 && !state.OOMKilled)
            {
                return ProbeResult.Fail(ProbeReasons.ContainerStopped, $"{options.Container} was stopped (exited with code 0)", clock.Elapsed);
            }

            if (!state.Running)
            {
                return ProbeResult.Fail("container_not_running", $"{options.Container} is {state.Status} (exit code {state.ExitCode}{(string.IsNullOrEmpty(state.Error) ? "" : ", " + state.Error)})", clock.Elapsed);
            }

            return state.Health?.Status switch
            {
                null or "" or "none" => ProbeResult.Ok(clock.Elapsed, "running (no HEALTHCHECK)"),
                "healthy" => ProbeResult.Ok(clock.Elapsed, "running, healthy"),
                "starting" => ProbeResult.Fail("container_starting", $"{options.Container}'s health check has not passed yet", clock.Elapsed),
                var other => ProbeResult.Fail("container_unhealthy", $"{options.Container} is {other}: {state.Health.Log?.LastOrDefault()?.Output?.Trim()}", clock.Elapsed),
            };
        }
        catch (DockerContainerNotFoundException)
        {
            return ProbeResult.Fail("container_missing", $"no container named {options.Container}", clock.Elapsed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail("timeout", "the Docker engine did not answer within the timeout", clock.Elapsed);
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or TimeoutException)
        {
            return ProbeResult.Fail("docker_unreachable", ex.Message, clock.Elapsed);
        }
    }
}

/// <summary>systemd probe: the unit is active.</summary>
public sealed class SystemdProbe(Systemctl systemctl) : IProbeCheck
{
    /// <inheritdoc />
    public ProbeType Type => ProbeType.Systemd;

    /// <inheritdoc />
    public async Task<ProbeResult> CheckAsync(string probe, ProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        try
        {
            var state = await systemctl.ShowAsync(options.Unit!, cancellationToken).ConfigureAwait(false);
            if (state.LoadState == "not-found")
            {
                return ProbeResult.Fail("unit_missing", $"{options.Unit} is not installed", clock.Elapsed);
            }

            return state.ActiveState switch
            {
                "active" or "reloading" or "refreshing" => ProbeResult.Ok(clock.Elapsed, state.ToString()),
                "activating" => ProbeResult.Fail("unit_activating", $"{options.Unit} is {state}", clock.Elapsed),
                "deactivating" => ProbeResult.Fail("unit_deactivating", $"{options.Unit} is {state}", clock.Elapsed),
                "failed" => ProbeResult.Fail("unit_failed", $"{options.Unit} is {state}", clock.Elapsed),
                _ when state.StoppedCleanly => ProbeResult.Fail(ProbeReasons.UnitStopped, $"{options.Unit} was stopped ({state})", clock.Elapsed),
                _ => ProbeResult.Fail("unit_inactive", $"{options.Unit} is {state}", clock.Elapsed),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail("timeout", "systemctl did not answer within the timeout", clock.Elapsed);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OpsAgent.Core.Processes.ToolStartException)
        {
            return ProbeResult.Fail("systemd_unreachable", ex.Message, clock.Elapsed);
        }
    }
}
