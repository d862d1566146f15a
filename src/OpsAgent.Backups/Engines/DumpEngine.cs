using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines;

/// <summary>A run failed for a reason the operator can act on.</summary>
public sealed class BackupFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">A short machine reason (<c>database_unreachable</c>, <c>tool_failed</c>, <c>no_space</c>, ...).</param>
    /// <param name="message">The human explanation, free of secrets.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public BackupFailedException(string reason, string message, Exception? inner = null) : base(message, inner) => Reason = reason;

    /// <summary>Creates the exception.</summary>
    public BackupFailedException() : this("failed", "backup failed") { }

    /// <summary>Creates the exception.</summary>
    public BackupFailedException(string message) : this("failed", message) { }

    /// <summary>Creates the exception.</summary>
    public BackupFailedException(string message, Exception inner) : this("failed", message, inner) { }

    /// <summary>The machine reason.</summary>
    public string Reason { get; }
}

/// <summary>What a run will execute, resolved from the job's settings and the server it talks to.</summary>
/// <param name="Dump">The dump command; its stdout is the dump.</param>
/// <param name="ToolPath">The dump tool as resolved.</param>
/// <param name="ToolVersion">The tool's version line.</param>
/// <param name="Format"><c>custom</c>, <c>plain</c> or <c>archive</c>.</param>
public sealed record DumpPlan(ToolCommand Dump, string ToolPath, string? ToolVersion, string Format)
{
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

    /// <summary>True when the roles are dumped without their passwords (the role cannot read <c>pg_authid</c>).</summary>
    public bool? GlobalsWithoutRolePasswords { get; init; }

    /// <summary>The connection URL's <c>schema</c> (Prisma), recorded beside the backup.</summary>
    public string? Schema { get; init; }

    /// <summary>Connection URL parameters left out because only an ORM reads them.</summary>
    public IReadOnlyList<string> IgnoredConnectionParameters { get; init; } = [];

    /// <summary>True when the dump drops what it creates before creating it (plain format with <c>--clean</c>).</summary>
    public bool? Clean { get; init; }

    /// <summary>Files to delete after the run.</summary>
    public IReadOnlyList<string> TemporaryFiles { get; init; } = [];
}

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

    /// <summary>For a restore: the backup's <c>.json</c> says the dump drops what it creates first (plain dumps with <c>--clean</c>).</summary>
    public bool? SourceCleans { get; init; }
}

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

/// <summary>A dump engine (PostgreSQL, MongoDB).</summary>
public interface IDumpEngine
{
    /// <summary>Resolves tools and versions and builds the dump command.</summary>
    Task<DumpPlan> PlanDumpAsync(EngineContext context, CancellationToken cancellationToken);

    /// <summary>Builds the restore command (its stdin takes the decompressed dump) into <paramref name="targetDatabase"/>.</summary>
    /// <param name="context">The job, its connection and a private temporary directory the caller deletes afterwards.</param>
    /// <param name="format">The dump's format.</param>
    /// <param name="targetDatabase">The database to restore into, or null for the original.</param>
    /// <param name="intoOriginal">True when restoring over the database the backup was taken from.</param>
    /// <param name="clean">Drop the objects the dump contains before restoring them (<c>backup restore --clean</c>); without it a non-empty target is refused.</param>
    /// <param name="cancellationToken">Stops the planning.</param>
    Task<RestorePlan> PlanRestoreAsync(EngineContext context, string format, string? targetDatabase, bool intoOriginal, bool clean, CancellationToken cancellationToken);
}

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
