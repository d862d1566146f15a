using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines;

/// <summary>Where a dump's bytes come from: a tool's stdout (on the host or in a container), or a producer in the agent's process.</summary>
public sealed record DumpSource
{
    private DumpSource(ToolCommand? command, IDumpProducer? producer)
    {
        Command = command;
        Producer = producer;
    }

    /// <summary>The tool whose stdout is the dump, or null for an in-process producer.</summary>
    public ToolCommand? Command { get; }

    /// <summary>The in-process producer, or null for a tool.</summary>
    public IDumpProducer? Producer { get; }

    /// <summary>What runs, for the journal.</summary>
    public string Display => Command?.Display ?? Producer!.Display;

    /// <summary>A dump read from <paramref name="command"/>'s stdout.</summary>
    public static DumpSource FromTool(ToolCommand command) => new(command ?? throw new ArgumentNullException(nameof(command)), null);

    /// <summary>A dump written by <paramref name="producer"/> in the agent's process.</summary>
    public static DumpSource InProcess(IDumpProducer producer) => new(null, producer ?? throw new ArgumentNullException(nameof(producer)));

    /// <summary>A dump read from <paramref name="command"/>'s stdout.</summary>
    public static implicit operator DumpSource(ToolCommand command) => FromTool(command);
}
