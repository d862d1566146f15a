using OpsAgent.Core.Docker;

namespace OpsAgent.Core.Processes;

/// <summary>Starts a <see cref="ToolCommand"/> on the host or in its container.</summary>
/// <param name="docker">Docker clients; null for a runner that only runs host tools.</param>
public sealed class ToolRunner(DockerClientProvider? docker)
{
    /// <summary>A runner for host tools only (CLI verbs that have no configuration).</summary>
    public static ToolRunner HostOnly { get; } = new(null);

    /// <summary>Starts the tool.</summary>
    public async Task<RunningTool> StartAsync(ToolCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Container is null
            ? HostToolRunner.Start(command)
            : await DockerExecRunner.StartAsync(
                (docker ?? throw new ToolStartException(ToolStartReasons.DockerUnreachable, $"cannot run {command.FileName} in container {command.Container}: no Docker endpoint configured", null)).Get(),
                command,
                cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a short command to completion and returns its exit, stdout (as text) and stderr.</summary>
    public async Task<(ToolExit Exit, string Output)> RunAsync(ToolCommand command, CancellationToken cancellationToken)
    {
        await using var tool = await StartAsync(command, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(tool.StandardOutput);
        var output = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        var exit = await tool.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (exit, output);
    }
}
