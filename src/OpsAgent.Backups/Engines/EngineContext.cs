using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines;

/// <summary>Everything an engine needs to plan a dump or a restore.</summary>
/// <param name="Job">The job name.</param>
/// <param name="Options">The job's settings.</param>
/// <param name="Connection">The resolved connection text (a secret), or null.</param>
/// <param name="Tools">Starts tools on the host or in containers.</param>
/// <param name="TemporaryDirectory">A private directory for short-lived files.</param>
public sealed record EngineContext(string Job, BackupJobOptions Options, string? Connection, ToolRunner Tools, string TemporaryDirectory)
{
    /// <summary>For a restore: the database the backup was taken from, as its <c>.json</c> records it (null when unknown).</summary>
    public string? SourceDatabase { get; init; }

    /// <summary>For a restore: what the engine recorded in the backup's <c>.json</c> when it took it (null when unknown).</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement>? SourceFacts { get; init; }

    /// <summary>True when the backup's <c>.json</c> records <paramref name="name"/> as <c>true</c>.</summary>
    public bool SourceFact(string name) => Files.BackupMetadata.IsTrue(SourceFacts, name);
}
