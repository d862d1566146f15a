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

    /// <summary>How long a restart may take to stop the target before starting it (a container's stop timeout): the call gets this on top of the verification time.</summary>
    TimeSpan StopAllowance { get; }

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
    public TimeSpan StopAllowance => TimeSpan.Zero;

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
    public TimeSpan StopAllowance => TimeSpan.FromSeconds(stopTimeoutSeconds);

    /// <inheritdoc />
    public async Task<string?> ReasonToSkipAsync(Action<string> prepared, CancellationToken cancellationToken)
    {
        try
        {
            var client = docker.Get();
            var inspect = await client.Containers.InspectContainerAsync(container, cancellationToken).ConfigureAwait(false);
            var state = inspect.State;
            // docker pause is always a person's doing; a restart would undo it.
            // Stopped through the engine (docker stop/kill), or finished by itself with code 0 (a one-shot): not a crash.
            return state.Paused ? "operator_paused"
                : state.Restarting ? "container_restarting"
                : !state.Running && !state.OOMKilled
                    && (state is { Status: "exited", ExitCode: 0 } || await StoppedThroughTheApiAsync(client, inspect.ID, state.StartedAt, cancellationToken).ConfigureAwait(false))
                    ? "operator_stopped"
                : null;
        }
        catch (DockerContainerNotFoundException)
        {
            return "container_missing";
        }
    }

    /// <summary>
    /// True when the engine's events since the container last started hold a <c>stop</c> or <c>kill</c> (docker stop,
    /// docker kill, compose down) after any <c>restart</c>: a crash or an OOM kill records only <c>die</c>.
    /// </summary>
    /// <remarks>The engine keeps its recent events in memory only: after a dockerd restart nothing says who stopped it, and the container is restarted.</remarks>
    private static async Task<bool> StoppedThroughTheApiAsync(DockerClient client, string id, string? startedAt, CancellationToken cancellationToken)
    {
        // With fractions: the stop of a restart (the agent's own) falls in the same second as the start that follows it.
        var since = DateTimeOffset.TryParse(startedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var started) && started.Year > 1
            ? UnixTime(started)
            : "0";
        var actions = new List<string>();
        await client.System.MonitorEventsAsync(new ContainerEventsParameters
        {
            Since = since,
            // With fractions: a whole-second "until" would miss a stop in the current second (a probe notices within one).
            Until = UnixTime(DateTimeOffset.UtcNow),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["container"] = new Dictionary<string, bool> { [id] = true },
            },
        }, new Collect(actions), cancellationToken).ConfigureAwait(false);
        // Only what follows the last restart counts: a restart (the agent's own, or docker restart) ends in a start.
        var last = actions.LastIndexOf("restart");
        return actions.Skip(last + 1).Any(a => a is "stop" or "kill");
    }

    private static string UnixTime(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerSecond}.{ticks % TimeSpan.TicksPerSecond * 100:D9}");
    }

    /// <summary>Collects synchronously (<see cref="Progress{T}"/> would post to the thread pool and lose the race with the return).</summary>
    private sealed class Collect(List<string> actions) : IProgress<Message>
    {
        public void Report(Message value) => actions.Add(value.Action ?? value.Status ?? string.Empty);
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
    public TimeSpan StopAllowance => timeout;

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
