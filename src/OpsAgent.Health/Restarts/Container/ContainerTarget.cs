using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Core.Docker;

namespace OpsAgent.Health.Restarts.Container;

/// <summary>A Docker container, restarted through the Engine API with a stop timeout.</summary>
internal sealed class ContainerTarget(string container, int stopTimeoutSeconds, DockerClientProvider docker) : IRestartTarget
{
    public string Description => $"container {container}";

    public TimeSpan StopAllowance => TimeSpan.FromSeconds(stopTimeoutSeconds);

    public async Task<string?> ReasonToSkipAsync(Action<string> prepared, CancellationToken cancellationToken)
    {
        try
        {
            var client = docker.Get();
            var inspect = await client.Containers.InspectContainerAsync(container, cancellationToken).ConfigureAwait(false);
            var state = inspect.State;
            // docker pause is always a person's doing; a restart would undo it.
            // Stopped through the engine (docker stop/kill), or finished by itself with code 0 (a one-shot): not a crash.
            return state.Paused ? RestartReasons.OperatorPaused
                : state.Restarting ? RestartReasons.ContainerRestarting
                : !state.Running && !state.OOMKilled
                    && (state is { Status: "exited", ExitCode: 0 } || await StoppedThroughTheApiAsync(client, inspect.ID, state.StartedAt, cancellationToken).ConfigureAwait(false))
                    ? RestartReasons.OperatorStopped
                : null;
        }
        catch (DockerContainerNotFoundException)
        {
            return RestartReasons.ContainerMissing;
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

    public Task RestartAsync(CancellationToken cancellationToken)
        => docker.Get().Containers.RestartContainerAsync(container, new ContainerRestartParameters { WaitBeforeKillSeconds = (uint)stopTimeoutSeconds }, cancellationToken);

    public async Task<string> CaptureLogsAsync(int lines, CancellationToken cancellationToken)
    {
        using var stream = await docker.Get().Containers.GetContainerLogsAsync(container, tty: false,
            new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = lines.ToString(System.Globalization.CultureInfo.InvariantCulture), Timestamps = true },
            cancellationToken).ConfigureAwait(false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
        return stderr.Length == 0 ? stdout : $"{stdout}{(stdout.EndsWith('\n') || stdout.Length == 0 ? "" : "\n")}{stderr}";
    }
}
