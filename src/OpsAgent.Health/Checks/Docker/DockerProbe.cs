using System.Diagnostics;
using Docker.DotNet;
using OpsAgent.Core.Docker;

namespace OpsAgent.Health.Checks.Docker;

/// <summary>Docker probe: the container is running and, when it has a HEALTHCHECK, <c>healthy</c>.</summary>
internal sealed class DockerProbe(DockerClientProvider docker) : ProbeType<DockerProbeOptions>
{
    protected override async Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, DockerProbeOptions options, CancellationToken cancellationToken)
    {
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
            return ProbeResult.Fail(ProbeReasons.Timeout, "the Docker engine did not answer within the timeout", clock.Elapsed);
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or TimeoutException)
        {
            return ProbeResult.Fail("docker_unreachable", ex.Message, clock.Elapsed);
        }
    }
}
