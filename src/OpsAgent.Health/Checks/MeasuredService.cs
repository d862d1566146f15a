using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Docker;
using OpsAgent.Core.HostChecks;
using OpsAgent.Health.Restarts;

namespace OpsAgent.Health.Checks;

/// <summary>What the memory and cpu probes share: the host, a unit's control group, or a container, validated, checked and read the same way.</summary>
internal static class MeasuredService
{
    /// <summary>Unit or Container (or neither: the host), each a usable name.</summary>
    public static void Validate(string path, string? unit, string? container, string host, ValidationCollector errors)
    {
        if (unit is not null && container is not null)
        {
            errors.Add(path, $"set Unit or Container, not both (neither: {host})");
        }

        if (unit is not null && !IsUnitName(unit))
        {
            errors.Add($"{path}:Unit", "must be a unit name");
        }

        if (container is { } c && (string.IsNullOrWhiteSpace(c) || c.Any(char.IsControl)))
        {
            errors.Add($"{path}:Container", "must be a container name or id");
        }
    }

    /// <summary>A unit name systemctl takes as one: not empty, not an option, no control characters.</summary>
    public static bool IsUnitName(string unit) => !string.IsNullOrWhiteSpace(unit) && !unit.StartsWith('-') && !unit.Any(char.IsControl);

    /// <summary>A restart makes no sense when the host as a whole is measured.</summary>
    public static void ValidateRestart(string path, ProbeOptions probe, string? unit, string? container, string resource, ValidationCollector errors)
    {
        if (probe.Restart is not null && unit is null && container is null)
        {
            errors.Add($"{path}:{nameof(ProbeOptions.Restart)}", $"the host's {resource} is not freed by restarting one service: set Unit or Container to measure the service Restart restarts, or remove Restart");
        }
    }

    /// <summary>check-config: the unit or the container exists on this host.</summary>
    public static Task CheckHostAsync(string path, string? unit, string? container, HostCheckContext context, CancellationToken cancellationToken)
        => unit is not null ? context.CheckUnitAsync($"{path}:Unit", unit, cancellationToken)
            : container is not null ? context.CheckContainerAsync($"{path}:Container", container, cancellationToken)
            : Task.CompletedTask;

    /// <summary>The unit's control group, or the failure to report: <c>unit_stopped</c> only for a clean stop (never restarted), else <c>not_found</c>.</summary>
    public static async Task<(string? Group, ProbeResult? Failure)> ControlGroupAsync(Systemctl systemctl, string unit, string resource, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        var group = await systemctl.PropertyAsync(unit, "ControlGroup", cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(group))
        {
            return (group, null);
        }

        var state = await systemctl.ShowAsync(unit, cancellationToken).ConfigureAwait(false);
        return (null, state.ActiveState == "inactive" && state.Result == "success"
            ? ProbeResult.Fail(ProbeReasons.UnitStopped, $"{unit} is stopped: no {resource} to measure", elapsed)
            : ProbeResult.Fail(ProbeReasons.NotFound, $"{unit} has no control group ({state.ActiveState}/{state.SubState})", elapsed));
    }

    /// <summary>The container and one sample of its stats (the Engine API's one-shot), or null when it is not running.</summary>
    public static async Task<(ContainerInspectResponse Inspect, ContainerStatsResponse Stats)?> StatsAsync(DockerClientProvider docker, string container, CancellationToken cancellationToken)
    {
        var inspect = await docker.Get().Containers.InspectContainerAsync(container, cancellationToken).ConfigureAwait(false);
        if (!inspect.State.Running)
        {
            return null;
        }

        var sink = new SynchronousProgress<ContainerStatsResponse>();
        await docker.Get().Containers.GetContainerStatsAsync(inspect.ID, new ContainerStatsParameters { Stream = false, OneShot = true }, sink, cancellationToken).ConfigureAwait(false);
        return sink.Value is { } stats ? (inspect, stats) : null;
    }

    /// <summary>The result for an engine error reading <paramref name="container"/>, or null for any other exception.</summary>
    public static ProbeResult? ContainerFailure(Exception ex, string container, TimeSpan elapsed) => ex switch
    {
        DockerContainerNotFoundException => ProbeResult.Fail("container_missing", $"no container named {container}", elapsed),
        DockerApiException or HttpRequestException or IOException or TimeoutException => ProbeResult.Fail("docker_unreachable", ex.Message, elapsed),
        _ => null,
    };
}
