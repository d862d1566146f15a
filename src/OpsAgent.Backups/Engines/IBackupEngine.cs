using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Processes;

namespace OpsAgent.Backups.Engines;

/// <summary>A dump engine (PostgreSQL, MongoDB): everything about a backup that depends on the database behind it.</summary>
/// <remarks>
/// Registered with <see cref="BackupServiceCollectionExtensions.AddBackupEngine{TEngine, TOptions}"/> under the name a
/// job's <c>Engine</c> gives; the runner, verifier, restorer, validator and <c>check-config</c> ask the job's engine and
/// know no engine by name. The engine's own keys are bound into <see cref="BackupJobOptions.Settings"/>.
/// </remarks>
public interface IBackupEngine
{
    /// <summary>The formats this engine writes, each with its own file extension; the first is the default.</summary>
    IReadOnlyList<BackupFormat> Formats { get; }

    /// <summary>The format a run of <paramref name="job"/> writes (one of <see cref="Formats"/>).</summary>
    BackupFormat FormatFor(BackupJobOptions job);

    /// <summary>Adds an error with its configuration path for each of <paramref name="job"/>'s settings this engine cannot use.</summary>
    /// <param name="path">The job's configuration path (<c>OpsAgent:Backups:db</c>).</param>
    /// <param name="job">The job's settings; the common ones are checked by the caller.</param>
    /// <param name="errors">Receives the failures.</param>
    void Validate(string path, BackupJobOptions job, ValidationCollector errors);

    /// <summary>Adds what <c>check-config</c> finds missing on this host for a job that runs the tools here (no <c>Container</c>): the tool, mostly.</summary>
    /// <param name="path">The job's configuration path.</param>
    /// <param name="job">The job's settings.</param>
    /// <param name="context">Collects the findings.</param>
    void CheckHost(string path, BackupJobOptions job, HostCheckContext context);

    /// <summary>Adds what <c>check-config</c> finds wrong in the job's resolved connection (an example host left in, an unknown host), in the engine's own syntax.</summary>
    /// <param name="path">The connection's configuration path (<c>OpsAgent:Backups:db:Connection</c>).</param>
    /// <param name="connection">The resolved connection text (a secret: never shown).</param>
    /// <param name="context">Collects the findings.</param>
    void CheckConnection(string path, string connection, HostCheckContext context);

    /// <summary>Resolves tools and versions and builds the dump command.</summary>
    Task<DumpPlan> PlanDumpAsync(EngineContext context, CancellationToken cancellationToken);

    /// <summary>A fresh check of a dump's content in <paramref name="format"/> (a name of <see cref="Formats"/> or <see cref="DumpPlan.GlobalsFormat"/>), fed every byte read back.</summary>
    /// <param name="format">The format's name.</param>
    /// <param name="depth">How deep the job asks the verification to go (a file checked by hand or before a restore: <see cref="VerifyMode.Full"/>).</param>
    IDumpContentCheck CreateContentCheck(string format, VerifyMode depth);

    /// <summary>A host tool that reads a dump in <paramref name="format"/> on stdin and fails when it is broken, for <c>backup verify FILE</c>; null when there is none.</summary>
    /// <param name="path">The backup file (its <c>.json</c> may name the tool that wrote it).</param>
    /// <param name="format">The format's name.</param>
    ToolCommand? HostChecker(string path, string format);

    /// <summary>Builds the restore (a command whose stdin takes the decompressed dump) into <paramref name="into"/>.</summary>
    /// <param name="context">The job, its connection and a private temporary directory the caller deletes afterwards.</param>
    /// <param name="format">The dump's format.</param>
    /// <param name="into">Where to restore: a database (the original or another) or a directory; a kind the engine does not restore into is refused with <see cref="BackupReasons.WrongTarget"/>.</param>
    /// <param name="cancellationToken">Stops the planning.</param>
    Task<RestorePlan> PlanRestoreAsync(EngineContext context, string format, RestoreTarget into, CancellationToken cancellationToken);
}
