namespace OpsAgent.Core.Processes;

/// <summary>Feeds a tool's standard input while watching it exit.</summary>
/// <remarks>
/// A tool may stop reading before its input ends (<c>pg_restore --list</c> needs only the table of contents; a restore
/// fails half-way). A host pipe then fails the next write, but a container exec's stdin does not: the engine goes on
/// accepting what is written only slowly (minutes for 100 MB), so the exit is watched beside each write.
/// </remarks>
public static class ToolInput
{
    /// <summary>Writes <paramref name="block"/> unless the tool has exited or stops reading.</summary>
    /// <param name="input">The tool's standard input.</param>
    /// <param name="block">The bytes to write.</param>
    /// <param name="exited">Completes when the tool has exited.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>False when the tool no longer reads: stop writing, its exit code decides.</returns>
    public static async Task<bool> WriteAsync(Stream input, ReadOnlyMemory<byte> block, Task exited, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(exited);
        if (exited.IsCompleted)
        {
            return false;
        }

        using var stopWrite = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var write = input.WriteAsync(block, stopWrite.Token).AsTask();
        if (await Task.WhenAny(write, exited).ConfigureAwait(false) == write)
        {
            try
            {
                await write.ConfigureAwait(false);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        await stopWrite.CancelAsync().ConfigureAwait(false);
        // The abandoned write ends when the tool is disposed; observe its failure so it is not reported as unobserved.
        _ = write.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return false;
    }

    /// <summary>The tool's exit, once its standard output (which the caller drains) has ended.</summary>
    /// <remarks>A container exec reports its exit only after its output stream is read to the end.</remarks>
    public static async Task<ToolExit> ExitAfterAsync(RunningTool tool, Task drain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(drain);
        await drain.ConfigureAwait(false);
        return await tool.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
    }
}
