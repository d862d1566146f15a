using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines;

/// <summary>Shared helpers for engines.</summary>
internal static class EngineTools
{
    /// <summary>Finds <paramref name="name"/> on PATH.</summary>
    public static string? FindOnPath(string name) => OpsAgent.Core.Processes.Executables.FindOnPath(name);

    /// <summary>The tool <paramref name="name"/> in the same directory as <paramref name="tool"/> (just the name when <paramref name="tool"/> has no directory, so PATH decides).</summary>
    public static string Sibling(string tool, string name)
    {
        var dir = Path.GetDirectoryName(tool);
        return string.IsNullOrEmpty(dir) ? name : Path.Combine(dir, name).Replace('\\', '/');
    }

    /// <summary>Runs <c>TOOL --version</c> (on the host or in the container) and returns its first line.</summary>
    public static async Task<string?> VersionAsync(ToolRunner tools, string tool, string? container, CancellationToken cancellationToken)
    {
        try
        {
            var (exit, output) = await tools.RunAsync(new ToolCommand(tool, ["--version"]) { Container = container }, cancellationToken).ConfigureAwait(false);
            return exit.ExitCode == 0 ? output.Split('\n')[0].Trim() : null;
        }
        catch (ToolStartException ex) when (ex.Reason == ToolStartReasons.ToolMissing)
        {
            // Anything else (the container is gone or stopped, the engine does not answer) is not about the tool: it propagates.
            return null;
        }
    }
}
