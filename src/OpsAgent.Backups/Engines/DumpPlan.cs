using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines;

/// <summary>What a run will execute, resolved from the job's settings and the server it talks to.</summary>
/// <param name="Dump">Where the dump comes from: a command whose stdout is the dump (a <see cref="ToolCommand"/> converts), or an in-process producer.</param>
/// <param name="ToolPath">The dump tool as resolved.</param>
/// <param name="ToolVersion">The tool's version line.</param>
/// <param name="Format">The format written, one of the engine's <see cref="IBackupEngine.Formats"/>.</param>
public sealed record DumpPlan(DumpSource Dump, string ToolPath, string? ToolVersion, string Format)
{
    /// <summary>The format name of <see cref="Globals"/>' output, for <see cref="IBackupEngine.CreateContentCheck"/>.</summary>
    public const string GlobalsFormat = "globals";

    /// <summary>The server's version, when read.</summary>
    public string? ServerVersion { get; init; }

    /// <summary>The database dumped.</summary>
    public string? Database { get; init; }

    /// <summary>The server host (no credentials).</summary>
    public string? Host { get; init; }

    /// <summary>A second dump of cluster-wide objects (roles), when asked for.</summary>
    public ToolCommand? Globals { get; init; }

    /// <summary>A tool that reads the dump from stdin and fails when it is not a valid archive (<c>pg_restore --list</c>).</summary>
    public ToolCommand? Verify { get; init; }

    /// <summary>Text sent to the dump tool's stdin before its output is read (mongodump's config with the URI).</summary>
    public string? StandardInput { get; init; }

    /// <summary>The tool reports progress on stderr, so stderr after a success is not a warning (mongodump's "done dumping ...").</summary>
    public bool StderrIsProgress { get; init; }



    /// <summary>Connection URL parameters left out because only an ORM reads them.</summary>
    public IReadOnlyList<string> IgnoredConnectionParameters { get; init; } = [];

    /// <summary>What only this engine records about the dump, written as members of the backup's <c>.json</c> (PostgreSQL: <c>clean</c>, <c>schema</c>, <c>globalsWithoutRolePasswords</c>).</summary>
    public System.Text.Json.Nodes.JsonObject? Facts { get; init; }

    /// <summary>Files to delete after the run.</summary>
    public IReadOnlyList<string> TemporaryFiles { get; init; } = [];
}
