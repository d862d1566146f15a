namespace OpsAgent.Core.Processes;

/// <summary>A started tool: its output to read, its input to write, and its exit to await.</summary>
public abstract class RunningTool : IAsyncDisposable
{
    /// <summary>The tool's standard output.</summary>
    public abstract Stream StandardOutput { get; }

    /// <summary>The tool's standard input when <see cref="ToolCommand.RedirectStandardInput"/> was set; dispose it to send end-of-file.</summary>
    public abstract Stream? StandardInput { get; }

    /// <summary>Waits for the tool to exit and stderr to drain.</summary>
    public abstract Task<ToolExit> WaitForExitAsync(CancellationToken cancellationToken);

    /// <summary>Kills the tool and everything it started.</summary>
    public abstract Task KillAsync();

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}
