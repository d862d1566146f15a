using System.Runtime.Versioning;
using System.ServiceProcess;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Core.Docker;

namespace OpsAgent.Health.Restarts;

/// <summary>Something the agent restarts when its probe fails.</summary>
public interface IRestartTarget
{
    /// <summary>What it is, for logs (<c>unit backend.service</c>).</summary>
    string Description { get; }

    /// <summary>A reason not to restart now (a deploy is running, an operator stopped it), or null. May prepare the target (reset-failed).</summary>
    Task<string?> ReasonToSkipAsync(Action<string> prepared, CancellationToken cancellationToken);

    /// <summary>Restarts it.</summary>
    Task RestartAsync(CancellationToken cancellationToken);

    /// <summary>The last <paramref name="lines"/> lines of its log (the unit's journal, the container's output).</summary>
    Task<string> CaptureLogsAsync(int lines, CancellationToken cancellationToken);
}

/// <summary>A systemd unit, restarted with <c>systemctl restart</c>.</summary>
public sealed class UnitTarget(string unit, Systemctl systemctl) : IRestartTarget
{
    /// <inheritdoc />
    public string Description => $"unit {unit}";

    /// <inheritdoc />
    public async Task<string?> ReasonToSkipAsync(Action<string> prepared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var state = await systemctl.ShowAsync(unit, cancellationToken).ConfigureAwait(false);
        if (state.LoadState == "not-found")
        {
            return "unit_missing";
        }

        if (state.IsTransitioning)
        {
            // systemctl restart would queue behind (or cancel) whatever a deploy or an operator is doing.
            return $"unit_{state.ActiveState}";
        }

        if (state.StoppedCleanly)
        {
            return "operator_stopped";
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

    /// <inheritdoc />
    public Task RestartAsync(CancellationToken cancellationToken) => systemctl.RunAsync("restart", unit, cancellationToken);

    /// <inheritdoc />
    public async Task<string> CaptureLogsAsync(int lines, CancellationToken cancellationToken)
    {
        // The unit's output reaches journald through a stream: right after a failed start its last lines may not be
        // indexed yet, and they are the ones that say why.
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        return await systemctl.JournalAsync(unit, lines, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A Docker container, restarted through the Engine API with a stop timeout.</summary>
public sealed class ContainerTarget(string container, int stopTimeoutSeconds, DockerClientProvider docker) : IRestartTarget
{
    /// <inheritdoc />
    public string Description => $"container {container}";

    /// <inheritdoc />
    public async Task<string?> ReasonToSkipAsync(Action<string> prepared, CancellationToken cancellationToken)
    {
        try
        {
            var inspect = await docker.Get().Containers.InspectContainerAsync(container, cancellationToken).ConfigureAwait(false);
            // docker pause is always a person's doing; a restart would undo it.
            return inspect.State.Paused ? "operator_paused" : inspect.State.Restarting ? "container_restarting"
                : inspect.State is { Running: false, Status: "exited", ExitCode: 0 } ? "operator_stopped" : null;
        }
        catch (DockerContainerNotFoundException)
        {
            return "container_missing";
        }
    }

    /// <inheritdoc />
    public Task RestartAsync(CancellationToken cancellationToken)
        => docker.Get().Containers.RestartContainerAsync(container, new ContainerRestartParameters { WaitBeforeKillSeconds = (uint)stopTimeoutSeconds }, cancellationToken);

    /// <inheritdoc />
    public async Task<string> CaptureLogsAsync(int lines, CancellationToken cancellationToken)
    {
        using var stream = await docker.Get().Containers.GetContainerLogsAsync(container, tty: false,
            new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = lines.ToString(System.Globalization.CultureInfo.InvariantCulture), Timestamps = true },
            cancellationToken).ConfigureAwait(false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
        return stderr.Length == 0 ? stdout : $"{stdout}{(stdout.EndsWith('\n') || stdout.Length == 0 ? "" : "\n")}{stderr}";
    }
}

/// <summary>A Windows service, stopped and started through the service control manager.</summary>
[SupportedOSPlatform("windows")]
public sealed class WindowsServiceTarget(string service, TimeSpan timeout) : IRestartTarget
{
    /// <inheritdoc />
    public string Description => $"service {service}";

    /// <inheritdoc />
    public Task<string?> ReasonToSkipAsync(Action<string> prepared, CancellationToken cancellationToken)
    {
        using var controller = new ServiceController(service);
        return Task.FromResult<string?>(controller.Status switch
        {
            ServiceControllerStatus.StartPending or ServiceControllerStatus.StopPending or ServiceControllerStatus.ContinuePending or ServiceControllerStatus.PausePending
                => "service_transitioning",
            ServiceControllerStatus.Paused => "operator_paused",
            _ => null,
        });
    }

    /// <inheritdoc />
    public Task RestartAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var controller = new ServiceController(service);
        if (controller.Status != ServiceControllerStatus.Stopped)
        {
            controller.Stop();
            controller.WaitForStatus(ServiceControllerStatus.Stopped, timeout);
        }

        cancellationToken.ThrowIfCancellationRequested();
        controller.Start();
        controller.WaitForStatus(ServiceControllerStatus.Running, timeout);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<string> CaptureLogsAsync(int lines, CancellationToken cancellationToken)
        => Task.FromResult($"(the Windows event log of {service} is not captured; see Event Viewer)");
}
