namespace OpsAgent.Core.Processes;

/// <summary>An external tool to run on the host or, when <see cref="Container"/> is set, inside a Docker container.</summary>
/// <remarks>
/// Secrets travel in <see cref="Environment"/> (for example <c>PGPASSWORD</c>), never in <see cref="Arguments"/>: arguments are
/// visible to every local user in <c>/proc/&lt;pid&gt;/cmdline</c> and in <c>ps</c>, the environment only to the same user.
/// </remarks>
/// <param name="FileName">The executable (a path, or a name looked up on PATH).</param>
/// <param name="Arguments">Arguments, passed as a list (never through a shell).</param>
public sealed record ToolCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Variables added to the tool's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The container to run in, or null for the host.</summary>
    public string? Container { get; init; }

    /// <summary>Whether the caller writes to the tool's standard input (otherwise it is closed at start).</summary>
    public bool RedirectStandardInput { get; init; }

    /// <summary>The command line for logs; safe to print because secrets are never arguments.</summary>
    public string Display => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a))
        + (Container is null ? string.Empty : $" (in container {Container})");
}

/// <summary>How a tool ended.</summary>
/// <param name="ExitCode">The exit code (-1 when killed before it reported one).</param>
/// <param name="StandardError">The last part of what it wrote to stderr.</param>
public sealed record ToolExit(long ExitCode, string StandardError)
{
    /// <summary>The last stderr line that reports an error (else the last line, else the exit code): a short failure reason.</summary>
    /// <remarks>Tools often follow the error with detail lines (pg_dump's "detail: Query was: ..."), so the error line is preferred.</remarks>
    public string Summary => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } lines
        ? Array.FindLast(lines, l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("fatal", StringComparison.OrdinalIgnoreCase)) ?? lines[^1]
        : $"exit code {ExitCode}";
}

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

/// <summary>The tool could not be started at all (not installed, container missing).</summary>
public sealed class ToolStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ToolStartException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public ToolStartException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a reason from <see cref="ToolStartReasons"/>.</summary>
    public ToolStartException(string reason, string message, Exception? inner) : base(message, inner) => Reason = reason;

    /// <summary>Creates the exception.</summary>
    public ToolStartException() { }

    /// <summary>Why (<see cref="ToolStartReasons"/>).</summary>
    public string Reason { get; } = ToolStartReasons.ToolMissing;
}

/// <summary>Keeps the last <c>capacity</c> characters a tool wrote to stderr.</summary>
internal sealed class TailBuffer(int capacity = 64 * 1024)
{
    private readonly System.Text.StringBuilder _text = new();
    private readonly System.Text.Decoder _decoder = System.Text.Encoding.UTF8.GetDecoder();
    private readonly Lock _lock = new();

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[1024];
        lock (_lock)
        {
            while (!bytes.IsEmpty)
            {
                var take = Math.Min(bytes.Length, 1024);
                _decoder.Convert(bytes[..take], chars, flush: false, out var used, out var produced, out _);
                _text.Append(chars[..produced]);
                bytes = bytes[used..];
            }

            if (_text.Length > capacity)
            {
                _text.Remove(0, _text.Length - capacity);
            }
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return _text.ToString();
        }
    }
}
