namespace OpsAgent.Core.Processes;

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
