using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Retention;
using OpsAgent.Backups.Verification;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups;

/// <summary>The result of one backup run (all attempts).</summary>
/// <param name="Success">True when a verified backup was written.</param>
/// <param name="Reason">The machine reason of the failure.</param>
/// <param name="Message">What happened, free of secrets.</param>
/// <param name="File">The new backup.</param>
/// <param name="Deleted">Backups retention removed.</param>
public sealed record BackupRunResult(bool Success, string? Reason, string Message, BackupFile? File, int Deleted);

/// <summary>What a run needs from the configuration in force.</summary>
/// <param name="Job">The job name.</param>
/// <param name="Options">The job's settings.</param>
/// <param name="MaxConcurrent">The global dump limit.</param>
/// <param name="TimeZone">The zone retention periods are computed in.</param>
/// <param name="StateDirectory">The agent's state directory (private temporary files).</param>
public sealed record BackupRequest(string Job, BackupJobOptions Options, int MaxConcurrent, TimeZoneInfo TimeZone, string StateDirectory);

/// <summary>Runs a backup job: dump, compress, checksum, verify, publish atomically, then apply retention.</summary>
/// <remarks>
/// Nothing is published until the file has been read back: the data file, its <c>.json</c> and finally its <c>.sha256</c>
/// are renamed into place only after verification, so a crash at any point leaves either a complete backup or a
/// <c>.partial</c> that is never counted. Retention runs only after such a success, so a failing database can never push
/// good backups out.
/// </remarks>
public sealed class BackupRunner(ToolRunner tools, SecretResolver secrets, BackupStateStore state, BackupSlots slots, TimeProvider time, ILogger<BackupRunner> logger)
{
    private static readonly Dictionary<BackupEngine, IDumpEngine> Engines = new Dictionary<BackupEngine, IDumpEngine>
    {
        [BackupEngine.Postgres] = new PostgresEngine(),
        [BackupEngine.MongoDb] = new MongoEngine(),
    };

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);

    /// <summary>The engine for a job.</summary>
    internal static IDumpEngine EngineFor(BackupJobOptions options) => Engines[options.Engine ?? BackupEngine.Postgres];

    /// <summary>Runs the job with its retries.</summary>
    public async Task<BackupRunResult> RunAsync(BackupRequest request, DumpProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = request.Options;
        var directory = o.Directory!;
        BackupJobLock? held;
        try
        {
            held = BackupJobLock.TryAcquire(request.StateDirectory, request.Job);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Refused(request.Job, BackupReasons.StateUnwritable, $"cannot take the job's lock in {request.StateDirectory}: {ex.Message}");
        }

        if (held is null)
        {
            return Refused(request.Job, BackupReasons.AlreadyRunning,
                $"another run of the job holds {BackupJobLock.PathFor(request.StateDirectory, request.Job)} (the daemon or a backup run); this run did nothing");
        }

        using var jobLock = held;
        for (var attempt = 1; ; attempt++)
        {
            var started = time.GetUtcNow();
            var result = await RunOnceAsync(request, attempt, started, progress, cancellationToken).ConfigureAwait(false);
            if (result.Success)
            {
                var (deleted, remaining) = ApplyRetention(request);
                // The dump's own time (as in the .json), not the wait for a slot: the metric tracks how long a dump takes.
                state.Succeeded(request.Job, directory, time.GetUtcNow(), result.File!.Metadata!.DurationSeconds, result.File.Size, remaining, deleted);
                return result with { Deleted = deleted };
            }

            if (attempt > o.Retries || cancellationToken.IsCancellationRequested || result.Reason is "no_space" or "bad_connection" or "secret")
            {
                state.Failed(request.Job, directory, time.GetUtcNow());
                return result;
            }

            var delay = o.RetryDelay * Math.Pow(2, attempt - 1);
            BackupLog.Retrying(logger, request.Job, attempt, result.Reason!, delay);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A run that did not start; nothing is recorded as the job's result (the run holding the lock records its own).</summary>
    private BackupRunResult Refused(string job, string reason, string message)
    {
        using (EventScope.Begin(logger, "backup_failed"))
        {
            BackupLog.Failed(logger, job, reason, message, 0);
        }

        return new BackupRunResult(false, reason, message, null, 0);
    }

    /// <summary>Removes <c>.partial</c> files a killed run left behind, under the job's lock: a live run's partial is never touched.</summary>
    /// <returns>How many were removed, or null when a run of the job is in progress (in any process), so none is stale.</returns>
    public int? RemoveStalePartials(string job, string directory, string stateDirectory)
    {
        BackupJobLock? held;
        try
        {
            held = BackupJobLock.TryAcquire(stateDirectory, job);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Without the lock a partial cannot be told from a live run's: leave them all.
            BackupLog.DeleteFailed(logger, job, BackupJobLock.PathFor(stateDirectory, job), ex.Message);
            return null;
        }

        using var jobLock = held;
        if (held is null)
        {
            BackupLog.PartialsInUse(logger, job);
            return null;
        }

        var removed = 0;
        foreach (var partial in BackupFileNames.StalePartials(directory, job).ToList())
        {
            DurableFiles.DeleteIfExists(partial);
            using (EventScope.Begin(logger, "backup_partial_removed"))
            {
                BackupLog.StalePartialRemoved(logger, job, partial);
            }

            removed++;
        }

        return removed;
    }

    private async Task<BackupRunResult> RunOnceAsync(BackupRequest request, int attempt, DateTimeOffset started, DumpProgress? progress, CancellationToken cancellationToken)
    {
        var job = request.Job;
        var o = request.Options;
        var directory = o.Directory!;
        var partials = new List<string>();
        DumpPlan? plan = null;
        string? stderr = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            DurableFiles.EnsureDirectory(directory);
            CheckFreeSpace(job, o, directory);

            var held = slots.Held;
            if (held >= request.MaxConcurrent)
            {
                BackupLog.WaitingForSlot(logger, job, held, request.MaxConcurrent);
            }

            using var slot = await slots.AcquireAsync(request.MaxConcurrent, cancellationToken).ConfigureAwait(false);
            var dumpStarted = time.GetUtcNow();
            if (held >= request.MaxConcurrent)
            {
                var waited = Math.Round((dumpStarted - started).TotalSeconds, 3);
                using (EventScope.Begin(logger, "backup_slot_acquired"))
                {
                    BackupLog.SlotAcquired(logger, job, waited);
                }
            }

            timeout.CancelAfter(o.Timeout);
            var ct = timeout.Token;
            string? connection = null;
            if (o.Connection is not null)
            {
                connection = await secrets.ResolveAsync(o.Connection, $"{BackupsOptions.SectionName}:{job}:Connection", ct).ConfigureAwait(false);
            }

            var engine = EngineFor(o);
            var context = new EngineContext(job, o, connection, tools, Path.Combine(request.StateDirectory, "tmp"));
            plan = await engine.PlanDumpAsync(context, ct).ConfigureAwait(false);
            if (plan.IgnoredConnectionParameters.Count > 0)
            {
                BackupLog.OrmParametersIgnored(logger, job, plan.IgnoredConnectionParameters);
            }

            using (EventScope.Begin(logger, "backup_started", ("Container", o.Container)))
            {
                var engineName = (o.Engine ?? BackupEngine.Postgres).ToString().ToLowerInvariant();
                var display = plan.Dump.Display;
                BackupLog.Started(logger, job, engineName, plan.Database, display);
            }

            var extension = BackupFileNames.Extension(o.Engine ?? BackupEngine.Postgres, o.Format, o.Compression);
            var fileName = BackupFileNames.For(job, started, extension);
            var final = Path.Combine(directory, fileName);
            if (File.Exists(final))
            {
                throw new BackupFailedException("exists", $"{final} already exists (two runs in the same second)");
            }

            var partial = final + BackupFileNames.PartialSuffix;
            var (written, toolStderr) = await DumpAsync(plan.Dump, plan.StandardInput, partial, partials, o, progress, ct).ConfigureAwait(false);
            stderr = toolStderr;

            string? globalsName = null;
            VerifyResult? globalsVerify = null;
            if (plan.Globals is not null)
            {
                globalsName = fileName + ".globals.sql" + BackupFileNames.CompressionSuffix(o.Compression);
                var globalsPartial = Path.Combine(directory, globalsName + BackupFileNames.PartialSuffix);
                var (globals, _) = await DumpAsync(plan.Globals, null, globalsPartial, partials, o, null, ct).ConfigureAwait(false);
                globalsVerify = await BackupVerifier.VerifyWrittenAsync(globalsPartial, BackupVerifier.GlobalsFormat, globals.Sha256, null, null, ct).ConfigureAwait(false);
                if (!globalsVerify.Ok)
                {
                    throw new BackupFailedException(globalsVerify.Reason!, globalsVerify.Message);
                }
            }

            var verify = await BackupVerifier.VerifyWrittenAsync(partial, plan.Format, written.Sha256, plan.Verify, tools, o.Verify, ct).ConfigureAwait(false);
            if (!verify.Ok)
            {
                throw new BackupFailedException(verify.Reason!, verify.Message);
            }

            var finished = time.GetUtcNow();
            var metadata = new BackupMetadata
            {
                Job = job,
                Engine = (o.Engine ?? BackupEngine.Postgres).ToString().ToLowerInvariant(),
                Database = plan.Database,
                Host = plan.Host,
                Container = o.Container,
                Tool = plan.ToolPath,
                ToolVersion = plan.ToolVersion,
                ServerVersion = plan.ServerVersion,
                Format = plan.Format,
                Compression = o.Compression.ToString().ToLowerInvariant(),
                Started = started,
                Finished = finished,
                DurationSeconds = Math.Round((finished - dumpStarted).TotalSeconds, 3),
                SizeBytes = written.FileBytes,
                UncompressedBytes = written.UncompressedBytes,
                Sha256 = verify.Sha256!,
                Verified = true,
                VerifiedBy = $"{o.Verify.ToString().ToLowerInvariant()}: {verify.Checks}",
                GlobalsFile = globalsName,
                GlobalsWithoutRolePasswords = plan.GlobalsWithoutRolePasswords,
                Schema = plan.Schema,
                Clean = plan.Clean,
                AgentVersion = AgentMetrics.Version,
            };

            var checksums = BackupVerifier.ChecksumLine(verify.Sha256!, fileName)
                + (globalsVerify is null ? string.Empty : BackupVerifier.ChecksumLine(globalsVerify.Sha256!, globalsName!));
            var jsonPartial = final + ".json" + BackupFileNames.PartialSuffix;
            var shaPartial = final + ".sha256" + BackupFileNames.PartialSuffix;
            await WritePartialAsync(jsonPartial, JsonSerializer.SerializeToUtf8Bytes(metadata, BackupJsonContext.Default.BackupMetadata), partials, ct).ConfigureAwait(false);
            await WritePartialAsync(shaPartial, Encoding.UTF8.GetBytes(checksums), partials, ct).ConfigureAwait(false);

            // The .sha256 goes last: until it exists, the file is not a backup.
            File.Move(partial, final);
            if (globalsName is not null)
            {
                File.Move(Path.Combine(directory, globalsName + BackupFileNames.PartialSuffix), Path.Combine(directory, globalsName));
            }

            File.Move(jsonPartial, final + ".json");
            File.Move(shaPartial, final + ".sha256");
            partials.Clear();
            DurableFiles.SyncDirectory(directory);

            if (!string.IsNullOrWhiteSpace(stderr) && !plan.StderrIsProgress)
            {
                BackupLog.ToolStderr(logger, job, Path.GetFileName(plan.ToolPath), stderr.Trim());
            }

            var seconds = metadata.DurationSeconds;
            using (EventScope.Begin(logger, "backup_succeeded"))
            {
                BackupLog.Succeeded(logger, job, final, written.FileBytes, written.UncompressedBytes, seconds, verify.Checks);
            }

            var file = new BackupFile(final, job, started, written.FileBytes, metadata);
            return new BackupRunResult(true, null, $"{fileName}: {written.FileBytes} bytes, verified", file, 0);
        }
        catch (Exception ex) when (Classify(ex, timeout, cancellationToken) is { } failure)
        {
            var message = failure.Message;
            using (EventScope.Begin(logger, "backup_failed", ("Stderr", NullIfBlank(failure.Stderr ?? stderr))))
            {
                BackupLog.Failed(logger, job, failure.Reason, message, attempt);
            }

            return new BackupRunResult(false, failure.Reason, message, null, 0);
        }
        finally
        {
            foreach (var partial in partials)
            {
                DurableFiles.DeleteIfExists(partial);
            }

            foreach (var temporary in plan?.TemporaryFiles ?? [])
            {
                DurableFiles.DeleteIfExists(temporary);
            }
        }
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private sealed record Failure(string Reason, string Message, string? Stderr = null);

    private sealed class ToolFailedException(string tool, ToolExit exit)
        : Exception($"{tool} exited with code {exit.ExitCode}: {exit.Summary}")
    {
        public ToolExit Exit { get; } = exit;
    }

    private static Failure? Classify(Exception ex, CancellationTokenSource timeout, CancellationToken cancellationToken) => ex switch
    {
        // Whatever the tool or the pipe said after a stop (a killed pg_dump fails, a closed pipe throws), the run was cancelled.
        _ when cancellationToken.IsCancellationRequested => new Failure(BackupReasons.Cancelled, "stopped by a signal; the tool was killed and the partial file removed"),
        OperationCanceledException when timeout.IsCancellationRequested => new Failure("timeout", "the run exceeded its Timeout; the tool was killed and the partial file removed"),
        BackupFailedException b => new Failure(b.Reason, b.Message),
        ToolFailedException t => new Failure("tool_failed", t.Message, t.Exit.StandardError),
        ToolStartException s => new Failure(s.Reason, s.Message),
        SecretResolutionException s => new Failure("secret", s.Message),
        IOException io when IsNoSpace(io) => new Failure("no_space", $"no space left on the backup file system: {io.Message}"),
        IOException io => new Failure("write_failed", io.Message),
        UnauthorizedAccessException ua => new Failure("permission_denied", ua.Message),
        _ => null,
    };

    private static bool IsNoSpace(IOException ex) => (ex.HResult & 0xFFFF) == 28 || ex.HResult == unchecked((int)0x80070070) || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
        || (ex.InnerException is IOException inner && IsNoSpace(inner));

    /// <summary>
    /// Creates <paramref name="path"/> (it must not exist) and adds it to <paramref name="owned"/>, the files this run
    /// removes when it fails: only once the creation succeeded, so a failed run never deletes another's file.
    /// </summary>
    private static FileStream CreatePartial(string path, List<string> owned)
    {
        var file = DurableFiles.CreatePrivate(path);
        owned.Add(path);
        return file;
    }

    private static async Task WritePartialAsync(string path, byte[] content, List<string> owned, CancellationToken ct)
    {
        await using var file = CreatePartial(path, owned);
        await file.WriteAsync(content, ct).ConfigureAwait(false);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Runs one dump command into <paramref name="partial"/>; a non-zero exit fails even after bytes were written.</summary>
    private async Task<(DumpWriteResult Written, string Stderr)> DumpAsync(ToolCommand command, string? stdin, string partial, List<string> owned, BackupJobOptions o, DumpProgress? progress, CancellationToken ct)
    {
        // Claimed before the tool starts: a partial that already exists fails the run here, and is left alone.
        var file = CreatePartial(partial, owned);
        await using var output = file;
        await using var tool = await tools.StartAsync(command with { RedirectStandardInput = stdin is not null }, ct).ConfigureAwait(false);
        if (stdin is not null && tool.StandardInput is { } input)
        {
            await input.WriteAsync(Encoding.UTF8.GetBytes(stdin), ct).ConfigureAwait(false);
            await input.DisposeAsync().ConfigureAwait(false);
        }

        DumpWriteResult written;
        try
        {
            written = await DumpWriter.WriteAsync(tool.StandardOutput, output, o.Compression, o.CompressionLevel, progress, ct).ConfigureAwait(false);
        }
        catch
        {
            await tool.KillAsync().ConfigureAwait(false);
            throw;
        }

        var exit = await tool.WaitForExitAsync(ct).ConfigureAwait(false);
        if (exit.ExitCode != 0)
        {
            throw new ToolFailedException(Path.GetFileName(command.FileName), exit);
        }

        if (written.UncompressedBytes == 0)
        {
            throw new BackupFailedException("empty", $"{Path.GetFileName(command.FileName)} exited 0 but wrote nothing");
        }

        return (written, exit.StandardError);
    }

    private static void CheckFreeSpace(string job, BackupJobOptions o, string directory)
    {
        var existing = BackupFileNames.Scan(directory, job);
        var last = existing.Count > 0 ? existing[0] : null;
        var needed = Math.Max(o.MinFreeBytes, (long)((last?.Size ?? 0) * 1.2));
        if (needed == 0)
        {
            return;
        }

        long free;
        try
        {
            free = new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return;
        }

        if (free < needed)
        {
            var why = last is not null && needed > o.MinFreeBytes
                ? $"1.2 × the last backup ({last.Size} bytes)"
                : $"MinFreeBytes ({o.MinFreeBytes})";
            throw new BackupFailedException("no_space", $"only {free} bytes free in {directory}, need {needed}: {why}");
        }
    }

    /// <summary>Logs, once per file and process, the job-named files that are not counted as backups.</summary>
    internal IReadOnlyList<BackupFile> ReportIgnored(string job, string directory)
    {
        var scan = BackupFileNames.Inspect(directory, job, time.GetUtcNow());
        foreach (var ignored in scan.Ignored)
        {
            if (_reported.TryAdd(ignored.Path, 0))
            {
                using (EventScope.Begin(logger, "backup_ignored"))
                {
                    BackupLog.Ignored(logger, job, ignored.Path, ignored.Reason);
                }
            }
        }

        return scan.Backups;
    }

    /// <summary>Deletes what the policy does not keep; returns how many backups went and how many remain.</summary>
    /// <remarks>The run was already published when this runs: a file that cannot be deleted is logged and skipped, never thrown.</remarks>
    internal (int Deleted, int Remaining) ApplyRetention(BackupRequest request)
    {
        var o = request.Options;
        IReadOnlyList<(BackupFile File, RetentionDecision Decision)> plan;
        try
        {
            plan = RetentionPlanner.Plan(ReportIgnored(request.Job, o.Directory!), o.Retention, request.TimeZone);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            using (EventScope.Begin(logger, "backup_delete_failed"))
            {
                BackupLog.DeleteFailed(logger, request.Job, o.Directory!, ex.Message);
            }

            return (0, 0);
        }

        var rule = RetentionPlanner.Describe(o.Retention);
        var deleted = 0;
        foreach (var (backup, decision) in plan)
        {
            if (decision.Keep)
            {
                continue;
            }

            if (o.Retention.DryRun)
            {
                using (EventScope.Begin(logger, "backup_would_delete"))
                {
                    BackupLog.WouldDelete(logger, request.Job, backup.Path, rule);
                }

                continue;
            }

            if (!DeleteBackup(request.Job, backup))
            {
                continue;
            }

            using (EventScope.Begin(logger, "backup_deleted"))
            {
                BackupLog.Deleted(logger, request.Job, backup.Path, rule);
            }

            deleted++;
        }

        if (deleted > 0)
        {
            try
            {
                DurableFiles.SyncDirectory(o.Directory!);
            }
            catch (IOException ex)
            {
                BackupLog.DeleteFailed(logger, request.Job, o.Directory!, ex.Message);
            }
        }

        return (deleted, plan.Count - deleted);
    }

    /// <summary>Deletes one backup; false when its data file is still there.</summary>
    /// <remarks>
    /// The extra sidecars go first, then the data file, then its <c>.json</c> and its <c>.sha256</c> last (publishing in
    /// reverse). Interrupted at any point, this leaves either a backup that still counts (deleted again next run) or small
    /// sidecars without data, never a data file without its checksum, which no scan lists again, so it would stay forever.
    /// When the data file cannot be deleted its checksum and metadata are kept for the same reason.
    /// </remarks>
    private bool DeleteBackup(string job, BackupFile backup)
    {
        foreach (var suffix in BackupFileNames.SidecarSuffixes.Where(s => s is not ".sha256" and not ".json"))
        {
            DeleteRegularFile(job, backup.Path + suffix);
        }

        if (!DeleteRegularFile(job, backup.Path))
        {
            return false;
        }

        DeleteRegularFile(job, backup.MetadataPath);
        DeleteRegularFile(job, backup.ChecksumPath);
        return true;
    }

    /// <summary>Deletes <paramref name="path"/> when it is a regular file; false when something is still there.</summary>
    private bool DeleteRegularFile(string job, string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null && !info.Exists && !Directory.Exists(path))
            {
                return true;
            }

            // Not a regular file: a directory or link named like a sidecar is someone else's, not ours to remove.
            if (info.LinkTarget is not null || !info.Exists)
            {
                using (EventScope.Begin(logger, "backup_delete_skipped"))
                {
                    BackupLog.DeleteSkipped(logger, job, path);
                }

                return false;
            }

            info.Delete();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            using (EventScope.Begin(logger, "backup_delete_failed"))
            {
                BackupLog.DeleteFailed(logger, job, path, ex.Message);
            }

            return false;
        }
    }
}
