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
