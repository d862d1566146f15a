using OpsAgent.Backups.Engines;

namespace OpsAgent.Backups.Drills;

/// <summary>What an engine does in a restore drill: where the disposable copy goes, what is checked in it, how it is removed.</summary>
/// <remarks>
/// The drill runner picks and checks the backup, restores it with the engine's own restore into the target
/// <see cref="PrepareAsync"/> returns, and calls <see cref="RemoveAsync"/> whatever happened (unless <c>KeepOnFailure</c>
/// keeps a failed one). An engine that does not implement this refuses <c>Drill</c> at validation.
/// </remarks>
internal interface IBackupDrill
{
    /// <summary>The scratch copy's name: <c>&lt;database&gt;_drill_&lt;UTC yyyyMMddHHmmss&gt;</c>, or a directory under the state directory.</summary>
    /// <param name="context">The job (with the drill's server as its connection).</param>
    /// <param name="source">The backup's <c>.json</c>, when it has one.</param>
    /// <param name="at">When the drill started.</param>
    string ScratchName(EngineContext context, Files.BackupMetadata? source, DateTimeOffset at);

    /// <summary>Makes sure the scratch does not exist (a name that exists is refused: it is somebody's) and returns where to restore.</summary>
    /// <exception cref="BackupFailedException"><see cref="DrillReasons.ScratchExists"/>, or the server's refusal.</exception>
    Task<RestoreTarget> PrepareAsync(EngineContext context, string scratch, Files.BackupMetadata? source, CancellationToken cancellationToken);

    /// <summary>Runs the drill's checks and the engine's own comparison with what the backup recorded.</summary>
    /// <param name="context">The job.</param>
    /// <param name="scratch">The restored copy.</param>
    /// <param name="drill">The drill's settings.</param>
    /// <param name="source">The backup's <c>.json</c> (row estimates, entry counts).</param>
    /// <param name="cancellationToken">Stops the checks.</param>
    /// <returns>Every check's result, and the exact per-table (or per-collection) counts when the engine takes them.</returns>
    Task<(IReadOnlyList<DrillCheckResult> Checks, IReadOnlyDictionary<string, long>? Counts)> CheckAsync(EngineContext context, string scratch, DrillOptions drill, Files.BackupMetadata? source,
        CancellationToken cancellationToken);

    /// <summary>Removes the scratch copy; a copy that is not there is not an error.</summary>
    Task RemoveAsync(EngineContext context, string scratch, CancellationToken cancellationToken);
}
