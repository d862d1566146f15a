using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Restore;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Drills;

/// <summary>What a drill is run for.</summary>
/// <param name="Job">The job.</param>
/// <param name="Options">The job's settings (its <see cref="BackupJobOptions.Drill"/> set).</param>
/// <param name="MaxConcurrent">The dump slots: a drill takes one.</param>
/// <param name="StateDirectory">The agent's state directory.</param>
/// <param name="Copy">The copy request, for a drill <c>From</c> a target.</param>
internal sealed record DrillRequest(string Job, BackupJobOptions Options, int MaxConcurrent, string StateDirectory, CopyRequest? Copy);

/// <summary>A drill's outcome.</summary>
internal sealed record DrillRunResult(bool Success, string? Reason, string Message, string? Scratch, IReadOnlyList<DrillCheckResult> Checks, bool Kept);

/// <summary>
/// Restores a job's newest backup into a scratch copy (a database next to the original, or a directory under the state
/// directory), checks it, and removes it: the proof a checksum cannot give that the backup is one.
/// </summary>
/// <remarks>
/// A drill holds the job's lock, as a dump does, so the two never run together, and takes a dump slot. The original is
/// never touched: the engine refuses a scratch name that exists, and only what it created is removed.
/// </remarks>
internal sealed class DrillRunner(BackupEngines engines, BackupRestorer restorer, CopyFetcher fetcher, ToolRunner tools, SecretResolver secrets, BackupSlots slots,
    TimeProvider time, ILogger<DrillRunner> logger)
{
    /// <summary>How long removing the scratch copy may take after the drill itself was stopped or timed out.</summary>
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromMinutes(5);

    public async Task<DrillRunResult> RunAsync(DrillRequest request, DumpProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = request.Job;
        var drill = request.Options.Drill ?? throw new InvalidOperationException($"job {job} has no Drill");
        var started = time.GetUtcNow();
        BackupJobLock? held;
        try
        {
            held = BackupJobLock.TryAcquire(request.StateDirectory, job);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Finish(request, started, null, null, 0, new DrillRunResult(false, BackupReasons.StateUnwritable, $"cannot take the job's lock: {ex.Message}", null, [], false));
        }

        if (held is null)
        {
            return Finish(request, started, null, null, 0, new DrillRunResult(false, DrillReasons.AlreadyRunning,
                $"another run of {job} (a dump or a drill) holds {BackupJobLock.PathFor(request.StateDirectory, job)}", null, [], false));
        }

        using var jobLock = held;
        using var slot = await slots.AcquireAsync(request.MaxConcurrent, cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(drill.Timeout);
        var ct = timeout.Token;
        var fetchDirectory = Path.Combine(request.StateDirectory, "tmp", $"drill-fetch-{Guid.NewGuid():N}");
        string? file = null;
        string? scratch = null;
        EngineContext? context = null;
        IBackupDrill? engine = null;
        BackupMetadata? metadata = null;
        List<DrillCheckResult> checks = [];
        IReadOnlyDictionary<string, long>? counts = null;
        DrillRunResult result;
        try
        {
            (file, metadata) = await PickAsync(request, drill, fetchDirectory, ct).ConfigureAwait(false);
            var options = WithServer(request.Options, drill);
            var registration = engines.For(options);
            engine = registration.Engine as IBackupDrill ?? throw new BackupFailedException(BackupReasons.WrongTarget, $"the {registration.Name} engine has no drill");
            var connection = options.Connection is null ? null
                : await secrets.ResolveAsync(options.Connection, $"{BackupsOptions.SectionName}:{job}:{(drill.Server is null ? nameof(BackupJobOptions.Connection) : "Drill:Server")}", ct).ConfigureAwait(false);
            context = new EngineContext(job, options, connection, tools, Path.Combine(request.StateDirectory, "tmp")) { SourceDatabase = metadata?.Database, SourceFacts = metadata?.Facts };
            var name = engine.ScratchName(context, metadata, started);
            var target = await engine.PrepareAsync(context, name, metadata, ct).ConfigureAwait(false);
            scratch = name;
            using (EventScope.Begin(logger, "drill_started", ("Scratch", scratch)))
            {
                var fileName = Path.GetFileName(file);
                DrillLog.Started(logger, job, fileName, scratch);
            }

            var restored = await restorer.RestoreIntoAsync(job, options, file, target, request.StateDirectory, progress, ct).ConfigureAwait(false);
            if (!restored.Success)
            {
                result = new DrillRunResult(false, restored.Reason == BackupReasons.RestoreFailed || restored.Reason is null ? DrillReasons.RestoreFailed : restored.Reason, restored.Message, scratch, checks, false);
            }
            else
            {
                var (found, exact) = await engine.CheckAsync(context, scratch, drill, metadata, ct).ConfigureAwait(false);
                checks = [.. found];
                counts = exact;
                var failed = checks.FirstOrDefault(c => !c.Ok);
                result = failed is null
                    ? new DrillRunResult(true, null, $"{Path.GetFileName(file)} restored into {scratch}: {checks.Count} checks held", scratch, checks, false)
                    : new DrillRunResult(false, DrillReasons.CheckFailedPrefix + failed.Name.Split(':')[0], $"check {failed}", scratch, checks, false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            result = new DrillRunResult(false, DrillReasons.Timeout, $"the drill did not finish within {drill.Timeout}", scratch, checks, false);
        }
        catch (BackupFailedException ex)
        {
            result = new DrillRunResult(false, ex.Reason, ex.Message, scratch, checks, false);
        }
        catch (CopyFailedException ex)
        {
            result = new DrillRunResult(false, ex.Reason, ex.Message, scratch, checks, false);
        }
        catch (SecretResolutionException ex)
        {
            result = new DrillRunResult(false, BackupReasons.Secret, ex.Message, scratch, checks, false);
        }
        catch (ToolStartException ex)
        {
            result = new DrillRunResult(false, ex.Reason, ex.Message, scratch, checks, false);
        }
        finally
        {
            DeleteDirectory(fetchDirectory);
        }

        if (scratch is not null && engine is not null && context is not null)
        {
            if (!result.Success && drill.KeepOnFailure)
            {
                result = result with { Kept = true };
            }
            else
            {
                await RemoveAsync(job, engine, context, scratch).ConfigureAwait(false);
            }
        }

        return Finish(request, started, file, counts, metadata?.UncompressedBytes ?? 0, result);
    }

    /// <summary>The newest verified local backup, or the newest on the <c>From</c> target downloaded and checked.</summary>
    private async Task<(string File, BackupMetadata? Metadata)> PickAsync(DrillRequest request, DrillOptions drill, string fetchDirectory, CancellationToken ct)
    {
        if (drill.From is null)
        {
            var newest = BackupFileNames.Scan(request.Options.Directory!, request.Job, time.GetUtcNow()).FirstOrDefault(b => b.Verified)
                ?? throw new BackupFailedException(DrillReasons.NoBackup, $"no verified backup of {request.Job} in {request.Options.Directory}");
            return (newest.Path, newest.Metadata);
        }

        var copy = request.Copy ?? throw new BackupFailedException(DrillReasons.NoBackup, $"Drill:From names {drill.From}, but no copy targets are configured");
        var fetched = await fetcher.FetchAsync(copy, drill.From, null, null, fetchDirectory, static (_, _, _) => Task.FromResult(true), null, ct).ConfigureAwait(false)
            ?? throw new BackupFailedException(DrillReasons.NoBackup, $"no complete backup of {request.Job} on {drill.From}");
        return (fetched.Path, fetched.Metadata);
    }

    /// <summary>The job's settings with the drill's server as its connection (a staging server), or as they are.</summary>
    private static BackupJobOptions WithServer(BackupJobOptions options, DrillOptions drill)
    {
        if (drill.Server is null)
        {
            return options;
        }

        return new BackupJobOptions
        {
            Engine = options.Engine,
            Settings = options.Settings,
            Schedule = options.Schedule,
            Connection = drill.Server,
            Database = options.Database,
            // A staging server is reached directly, not through the production database's container.
            Container = null,
            Directory = options.Directory,
            Compression = options.Compression,
            Verify = options.Verify,
            Timeout = options.Timeout,
            Drill = drill,
        };
    }

    private async Task RemoveAsync(string job, IBackupDrill engine, EngineContext context, string scratch)
    {
        using var limit = new CancellationTokenSource(RemoveTimeout, time);
        try
        {
            await engine.RemoveAsync(context, scratch, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BackupFailedException or IOException or UnauthorizedAccessException or OperationCanceledException or ToolStartException)
        {
            using (EventScope.Begin(logger, "drill_cleanup_failed", ("Scratch", scratch)))
            {
                DrillLog.CleanupFailed(logger, job, scratch, ex.Message);
            }
        }
    }

    /// <summary>Logs the outcome, warns about tables that halved since the last drill, and records the state the metrics read.</summary>
    private DrillRunResult Finish(DrillRequest request, DateTimeOffset started, string? file, IReadOnlyDictionary<string, long>? counts, long restoredBytes, DrillRunResult result)
    {
        var job = request.Job;
        var finished = time.GetUtcNow();
        var duration = (finished - started).TotalSeconds;
        var lines = string.Join("; ", result.Checks.Select(c => c.ToString()));
        var state = DrillStateStore.Read(request.StateDirectory, job);
        if (result.Success)
        {
            using (EventScope.Begin(logger, "drill_succeeded", ("Scratch", result.Scratch), ("File", file)))
            {
                var fileName = Path.GetFileName(file ?? "-");
                DrillLog.Succeeded(logger, job, fileName, result.Scratch ?? "-", restoredBytes, duration, lines);
            }
        }
        else
        {
            var disposition = result.Scratch is null ? "not created" : result.Kept ? "kept (KeepOnFailure)" : "removed";
            using (EventScope.Begin(logger, "drill_failed", ("Scratch", result.Scratch), ("File", file)))
            {
                DrillLog.Failed(logger, job, result.Reason ?? "failed", result.Message, lines.Length == 0 ? "none run" : lines, result.Scratch ?? "-", disposition);
            }
        }

        if (counts is not null && state.Counts is { } previous)
        {
            var dropped = counts.Where(c => previous.TryGetValue(c.Key, out var before) && before >= 10 && c.Value < before / 2).Select(c => $"{c.Key} ({previous[c.Key]} -> {c.Value})").ToList();
            if (dropped.Count > 0)
            {
                using (EventScope.Begin(logger, "drill_rows_dropped"))
                {
                    DrillLog.RowsDropped(logger, job, string.Join(", ", dropped));
                }
            }
        }

        var key = result.Success ? "success" : result.Reason ?? "failed";
        state.Runs[key] = state.Runs.GetValueOrDefault(key) + 1;
        state.LastRun = finished;
        state.LastResult = key;
        state.LastFile = file is null ? state.LastFile : Path.GetFileName(file);
        state.LastDurationSeconds = Math.Round(duration, 3);
        state.LastRestoredBytes = restoredBytes;
        state.Checks = [.. result.Checks.Select(c => c.ToString())];
        if (result.Success)
        {
            state.LastSuccess = finished;
        }

        if (counts is not null && counts.Count > 0)
        {
            state.Counts = new Dictionary<string, long>(counts, StringComparer.Ordinal);
        }

        try
        {
            DrillStateStore.Write(request.StateDirectory, job, state);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            DrillLog.CleanupFailed(logger, job, DrillStateStore.PathFor(request.StateDirectory, job), ex.Message);
        }

        return result;
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was downloaded.
        }
    }
}
