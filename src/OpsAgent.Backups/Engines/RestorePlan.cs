using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines;

/// <summary>What a restore will execute.</summary>
/// <param name="Command">The restore tool; its stdin takes the decompressed dump.</param>
public sealed record RestorePlan(ToolCommand Command)
{
    /// <summary>Text written to the tool's stdin before the dump (the tool's configuration, when it runs in a container).</summary>
    public string? StandardInputPrefix { get; init; }

    /// <summary>A plan that only runs <paramref name="command"/>.</summary>
    public static RestorePlan FromToolCommand(ToolCommand command) => new(command);

    /// <summary>A plan that only runs <paramref name="command"/>.</summary>
    public static implicit operator RestorePlan(ToolCommand command) => new(command);
}
