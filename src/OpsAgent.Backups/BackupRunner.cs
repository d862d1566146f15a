using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Quartz;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Retention;
using OpsAgent.Backups.Verification;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Scheduling;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups;

/// <summary>The result of one backup run (all attempts).</summary>
/// <param name="Success">True when a verified backup was written.</param>
/// <param name="Reason">The machine reason of the failure.</param>
/// <param name="Message">What happened, free of secrets.</param>
/// <param name="File">The new backup.</param>
/// <param name="Deleted">Backups retention removed.</param>
internal sealed record BackupRunResult(bool Success, string? Reason, string Message, BackupFile? File, int Deleted);

/// <summary>What a run needs from the configuration in force.</summary>
/// <param name="Job">The job name.</param>
/// <param name="Options">The job's settings.</param>
/// <param name="MaxConcurrent">The global dump limit.</param>
/// <param name="TimeZone">The zone retention periods are computed in.</param>
/// <param name="StateDirectory">The agent's state directory (private temporary files).</param>
internal sealed record BackupRequest(string Job, BackupJobOptions Options, int MaxConcurrent, TimeZoneInfo TimeZone, string StateDirectory)
{
    /// <summary>A backup file (full path) this run's retention must not delete: the one a restore over the original is about to read.</summary>
    public string? Protect { get; init; }
}

/// <summary>Runs a backup job: dump, compress, checksum, verify, publish atomically, then apply retention.</summary>
/// <remarks>
/// Nothing is published until the file has been read back: the data file, its <c>.json</c> and finally its <c>.sha256</c>
/// are renamed into place only after verification, so a crash at any point leaves either a complete backup or a
/// <c>.partial</c> that is never counted. Retention runs only after such a success, so a failing database can never push
/// good backups out.
/// </remarks>
/// <remarks>
/// Every run of a job goes through here (its schedule, a catch-up, <c>opsagent backup run</c> in the daemon or in the CLI's
/// process), so here is where its result is recorded for <c>/status</c> and the metrics: one state, whoever started it.
/// </remarks>
internal sealed class BackupRunner(ToolRunner tools, SecretResolver secrets, BackupEngines engines, BackupStateStore state, BackupSlots slots, JobStatusStore status,
    RetentionExecutor retention, SecretRedactor redactor, TimeProvider time, ILogger<BackupRunner> logger,
    Core.Maintenance.IProbeHealth? probes = null, Core.Maintenance.BackupActivity? activity = null)
{
    /// <summary>How often a run waiting for <c>RequireHealthy</c> asks again.</summary>
    internal static readonly TimeSpan HealthPoll = TimeSpan.FromSeconds(5);

    /// <summary>Runs the job with its retries.</summary>
    public async Task<BackupRunResult> RunAsync(BackupRequest request, DumpProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = request.Options;
        var directory = o.Directory!;
        var key = new JobKey(request.Job, BackupJob.Kind);
        BackupJobLock? held;
        try
        {
            held = BackupJobLock.TryAcquire(request.StateDirectory, request.Job);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Every run would fail so until the state directory is mended: a failure of the job, not a refusal.
            using (EventScope.Begin(logger, "backup_failed"))
            {
                BackupLog.FailedToStart(logger, request.Job, BackupReasons.StateUnwritable, $"cannot take the job's lock in {request.StateDirectory}: {ex.Message}");
            }

            state.Failed(request.Job, directory, time.GetUtcNow());
            status.Started(key, time.GetUtcNow());
            return Recorded(key, new BackupRunResult(false, BackupReasons.StateUnwritable, $"cannot take the job's lock in {request.StateDirectory}: {ex.Message}", null, 0));
        }

        if (held is null)
        {
            // Not recorded in the status store: the run holding the lock records its own start and result.
            return Refused(request.Job, directory,
                $"another run of the job holds {BackupJobLock.PathFor(request.StateDirectory, request.Job)} (the daemon or a backup run); this run did nothing");
        }

        using var jobLock = held;
        status.Started(key, time.GetUtcNow());
        // Probes restarting the container being dumped from hold back until this run ends (backup_running:<job>).
        using var running = activity?.Begin(request.Job, o.Container);
        try
        {
            if (await WaitForHealthAsync(request, cancellationToken).ConfigureAwait(false) is { } unhealthy)
            {
                using (EventScope.Begin(logger, "backup_failed"))
                {
                    BackupLog.FailedToStart(logger, request.Job, unhealthy.Reason!, unhealthy.Message);
                }

                state.Failed(request.Job, directory, time.GetUtcNow());
                return Recorded(key, unhealthy);
            }

            return Recorded(key, await RunAttemptsAsync(request, progress, cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Recorded(key, new BackupRunResult(false, JobReasons.Cancelled, "the run was cancelled", null, 0));
            throw;
        }
        catch (Exception ex)
        {
            Recorded(key, new BackupRunResult(false, JobReasons.Exception, $"{ex.GetType().Name}: {ex.Message}", null, 0));
            throw;
        }
    }

    /// <summary>
    /// Waits while a probe of <c>RequireHealthy</c> is failing, up to <c>RequireHealthyWait</c>: a dump of a database that is
    /// failing its own probe is at best a copy of a broken server. Null when every one is healthy (or not configured here).
    /// </summary>
    private async Task<BackupRunResult?> WaitForHealthAsync(BackupRequest request, CancellationToken cancellationToken)
    {
        var o = request.Options;
        if (probes is null || o.RequireHealthy.Count == 0)
        {
            return null;
        }

        var until = time.GetUtcNow() + o.RequireHealthyWait;
        while (true)
        {
            var failing = o.RequireHealthy.FirstOrDefault(p => probes.IsHealthy(p) == false);
            if (failing is null)
            {
                return null;
            }

            if (time.GetUtcNow() >= until)
            {
                return new BackupRunResult(false, BackupReasons.DependencyFailingPrefix + failing,
                    $"the probe {failing} (RequireHealthy) was failing for {o.RequireHealthyWait}: nothing was dumped", null, 0);
            }

            await Task.Delay(HealthPoll, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A disk probe reporting critical for the file system of the backup directory: fail before the tool starts.</summary>
    private void CheckDiskProbes(string directory)
    {
        if (probes is null || !OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var (probe, path, message) in probes.CriticalDisks())
        {
            ulong watched, target;
            try
            {
                watched = Engines.FileTrees.PosixFiles.LStat(Directory.Exists(path) ? Path.Combine(path, ".") : path).Device;
                target = Engines.FileTrees.PosixFiles.LStat(Path.Combine(directory, ".")).Device;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (watched == target)
            {
                throw new BackupFailedException(BackupReasons.NoSpace, $"the disk probe {probe} reports the file system of {directory} critical ({message}): nothing was started");
            }
        }
    }

    /// <summary>Records the end of a run for <c>/status</c> (message redacted) and returns it unchanged.</summary>
    private BackupRunResult Recorded(JobKey key, BackupRunResult result)
    {
        var outcome = result.Success ? JobOutcome.Ok(redactor.Redact(result.Message)) : JobOutcome.Fail(result.Reason ?? BackupReasons.ToolFailed, redactor.Redact(result.Message));
        status.Finished(key, outcome, time.GetUtcNow());
        return result;
    }

    private async Task<BackupRunResult> RunAttemptsAsync(BackupRequest request, DumpProgress? progress, CancellationToken cancellationToken)
    {
        var o = request.Options;
        var directory = o.Directory!;
        var attempt = 0;
        var pipeline = RetryPolicy.Create<BackupRunResult>(o.Retries, o.RetryDelay, time,
            outcome => outcome.Result is { Success: false } failed && !cancellationToken.IsCancellationRequested && !BackupReasons.IsPermanent(failed.Reason),
            (failedAttempt, outcome, delay) => BackupLog.Retrying(logger, request.Job, failedAttempt, outcome.Result!.Reason!, delay));
        var result = await pipeline.ExecuteAsync(async ct => await RunOnceAsync(request, ++attempt, time.GetUtcNow(), progress, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (!result.Success)
        {
            state.Failed(request.Job, directory, time.GetUtcNow());
            return result;
        }

        Enqueue(request, result.File!);
        var (deleted, remaining) = retention.Apply(request);
        // The dump's own time (as in the .json), not the wait for a slot: the metric tracks how long a dump takes.
        state.Succeeded(request.Job, directory, time.GetUtcNow(), result.File!.Metadata!.DurationSeconds, result.File.Size, remaining, deleted);
        return result with { Deleted = deleted };
    }

    /// <summary>
    /// A run refused because another holds the job's lock: counted as refused, not as the job's result (the run holding the
    /// lock records its own), and logged as what it is, not as a failed attempt.
    /// </summary>
    private BackupRunResult Refused(string job, string directory, string message)
    {
        using (EventScope.Begin(logger, "backup_refused"))
        {
            BackupLog.Refused(logger, job, BackupReasons.AlreadyRunning, message);
        }

        state.Refused(job, directory);
        return new BackupRunResult(false, BackupReasons.AlreadyRunning, message, null, 0);
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
        using var partials = new PartialFiles();
        DumpPlan? plan = null;
        string? stderr = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            DurableFiles.EnsureDirectory(o.Directory!);
            CheckFreeSpace(job, o);
            CheckDiskProbes(o.Directory!);
            using var slot = await AcquireSlotAsync(request, started, cancellationToken).ConfigureAwait(false);
            var dumpStarted = time.GetUtcNow();
            timeout.CancelAfter(o.Timeout);
            var ct = timeout.Token;
            var connection = o.Connection is null ? null
                : await secrets.ResolveAsync(o.Connection, $"{BackupsOptions.SectionName}:{job}:{nameof(BackupJobOptions.Connection)}", ct).ConfigureAwait(false);

            var (engineName, engine) = engines.For(o);
            started = await DistinctSecondAsync(job, o, BackupFileNames.Extension(engine.FormatFor(o), o.Compression), started, ct).ConfigureAwait(false);
            plan = await engine.PlanDumpAsync(new EngineContext(job, o, connection, tools, Path.Combine(request.StateDirectory, "tmp")), ct).ConfigureAwait(false);
            if (plan.IgnoredConnectionParameters.Count > 0)
            {
                BackupLog.OrmParametersIgnored(logger, job, plan.IgnoredConnectionParameters);
            }

            using (EventScope.Begin(logger, "backup_started", ("Container", o.Container)))
            {
                BackupLog.Started(logger, job, engineName, plan.Database, plan.Dump.Display);
            }

            var (data, companions, verify, written) = await DumpAndVerifyAsync(request, engine, plan, started, partials, progress, ct).ConfigureAwait(false);
            stderr = written.Stderr;
            var finished = time.GetUtcNow();
            var metadata = Metadata(request, engineName, plan, companions, verify, written.Result, started, dumpStarted, finished) with { Facts = BackupMetadata.FactsOf(plan.Facts, written.Facts) };
            var final = await BackupPublisher.PublishAsync(o.Directory!, data, companions, metadata, partials, ct).ConfigureAwait(false);

            if (!string.IsNullOrWhiteSpace(stderr) && !plan.StderrIsProgress)
            {
                BackupLog.ToolStderr(logger, job, Path.GetFileName(plan.ToolPath), stderr.Trim());
            }

            using (EventScope.Begin(logger, "backup_succeeded"))
            {
                BackupLog.Succeeded(logger, job, final, written.Result.FileBytes, written.Result.UncompressedBytes, metadata.DurationSeconds, verify.Checks);
            }

            var file = new BackupFile(final, job, started, written.Result.FileBytes, metadata);
            return new BackupRunResult(true, null, $"{data.FileName}: {written.Result.FileBytes} bytes, verified", file, 0);
        }
        catch (Exception ex) when (Classify(ex, timeout, cancellationToken) is { } failure)
        {
            using (EventScope.Begin(logger, "backup_failed", ("Stderr", NullIfBlank(failure.Stderr ?? stderr))))
            {
                BackupLog.Failed(logger, job, failure.Reason, failure.Message, attempt);
            }

            return new BackupRunResult(false, failure.Reason, failure.Message, null, 0);
        }
        finally
        {
            foreach (var temporary in plan?.TemporaryFiles ?? [])
            {
                DurableFiles.DeleteIfExists(temporary);
            }
        }
    }

    /// <summary>Waits for a dump slot, logging the wait when there was one.</summary>
    private async Task<IDisposable> AcquireSlotAsync(BackupRequest request, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var held = slots.Held;
        if (held >= request.MaxConcurrent)
        {
            BackupLog.WaitingForSlot(logger, request.Job, held, request.MaxConcurrent);
        }

        var slot = await slots.AcquireAsync(request.MaxConcurrent, cancellationToken).ConfigureAwait(false);
        if (held >= request.MaxConcurrent)
        {
            var waited = Math.Round((time.GetUtcNow() - started).TotalSeconds, 3);
            using (EventScope.Begin(logger, "backup_slot_acquired"))
            {
                BackupLog.SlotAcquired(logger, request.Job, waited);
            }
        }

        return slot;
    }

    /// <summary>
    /// A start whose file name no backup of the job has yet: names have whole seconds, so a second run within the second
    /// of the first (a <c>backup run</c>, then the pre-restore backup of a restore) waits for the next one instead of failing <c>exists</c>.
    /// </summary>
    private async Task<DateTimeOffset> DistinctSecondAsync(string job, BackupJobOptions o, string extension, DateTimeOffset started, CancellationToken ct)
    {
        for (var tries = 0; tries < 3 && File.Exists(Path.Combine(o.Directory!, BackupFileNames.For(job, started, extension))); tries++)
        {
            var next = new DateTimeOffset(started.UtcTicks - (started.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1);
            var wait = next - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, ct).ConfigureAwait(false);
            }

            started = next;
        }

        return started;
    }

    /// <summary>Dumps into <c>.partial</c> files (the data and, when planned, the roles) and reads each back; nothing is published yet.</summary>
    private async Task<(VerifiedPartial Data, IReadOnlyList<VerifiedPartial> Companions, VerifyResult Verify, Dumped Written)> DumpAndVerifyAsync(
        BackupRequest request, IBackupEngine engine, DumpPlan plan, DateTimeOffset started, PartialFiles partials, DumpProgress? progress, CancellationToken ct)
    {
        var o = request.Options;
        var fileName = BackupFileNames.For(request.Job, started, BackupFileNames.Extension(engine.FormatFor(o), o.Compression));
        var final = Path.Combine(o.Directory!, fileName);
        if (File.Exists(final))
        {
            throw new BackupFailedException(BackupReasons.Exists, $"{final} already exists (two runs in the same second)");
        }

        var partial = final + BackupFileNames.PartialSuffix;
        var written = await DumpAsync(plan.Dump, plan.StandardInput, partial, partials, o, progress, ct).ConfigureAwait(false);
        var companions = new List<VerifiedPartial>();
        if (plan.Globals is not null)
        {
            var globalsName = fileName + ".globals.sql" + BackupFileNames.CompressionSuffix(o.Compression);
            var globalsPartial = Path.Combine(o.Directory!, globalsName + BackupFileNames.PartialSuffix);
            var globals = (await DumpAsync(plan.Globals, null, globalsPartial, partials, o, null, ct).ConfigureAwait(false)).Result;
            var globalsVerify = await BackupVerifier.VerifyWrittenAsync(globalsPartial, engine.CreateContentCheck(DumpPlan.GlobalsFormat, VerifyMode.Full), globals.Sha256, null, null, ct).ConfigureAwait(false);
            if (!globalsVerify.Ok)
            {
                throw new BackupFailedException(globalsVerify.Reason!, globalsVerify.Message);
            }

            companions.Add(new VerifiedPartial(globalsPartial, globalsName, globalsVerify.Sha256!));
        }

        var content = engine.CreateContentCheck(plan.Format, o.Verify);
        content.Expect(BackupMetadata.FactsOf(written.Facts));
        var verify = await BackupVerifier.VerifyWrittenAsync(partial, content, written.Result.Sha256, plan.Verify, tools, ct).ConfigureAwait(false);
        if (!verify.Ok)
        {
            throw new BackupFailedException(verify.Reason!, verify.Message);
        }

        return (new VerifiedPartial(partial, fileName, verify.Sha256!), companions, verify, written);
    }

    private static BackupMetadata Metadata(BackupRequest request, string engine, DumpPlan plan, IReadOnlyList<VerifiedPartial> companions, VerifyResult verify,
        DumpWriteResult written, DateTimeOffset started, DateTimeOffset dumpStarted, DateTimeOffset finished)
    {
        var o = request.Options;
        return new BackupMetadata
        {
            Job = request.Job,
            Engine = engine,
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
            GlobalsFile = companions.Count > 0 ? companions[0].FileName : null,
            AgentVersion = AgentMetrics.Version,
        };
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
        OperationCanceledException when timeout.IsCancellationRequested => new Failure(BackupReasons.Timeout, "the run exceeded its Timeout; the tool was killed and the partial file removed"),
        BackupFailedException b => new Failure(b.Reason, b.Message),
        ToolFailedException t => new Failure(BackupReasons.ToolFailed, t.Message, t.Exit.StandardError),
        ToolStartException s => new Failure(s.Reason, s.Message),
        SecretResolutionException s => new Failure(BackupReasons.Secret, s.Message),
        IOException io when IsNoSpace(io) => new Failure(BackupReasons.NoSpace, $"no space left on the backup file system: {io.Message}"),
        IOException io => new Failure(BackupReasons.WriteFailed, io.Message),
        UnauthorizedAccessException ua => new Failure(BackupReasons.PermissionDenied, ua.Message),
        _ => null,
    };

    private static bool IsNoSpace(IOException ex) => (ex.HResult & 0xFFFF) == 28 || ex.HResult == unchecked((int)0x80070070) || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
        || (ex.InnerException is IOException inner && IsNoSpace(inner));

    /// <summary>What a dump wrote: the file, the tool's stderr, and the engine's own facts for the <c>.json</c>.</summary>
    private sealed record Dumped(DumpWriteResult Result, string Stderr, System.Text.Json.Nodes.JsonObject? Facts);

    /// <summary>Runs one dump into <paramref name="partial"/>; a non-zero exit or a producer's failure fails even after bytes were written.</summary>
    private async Task<Dumped> DumpAsync(DumpSource source, string? stdin, string partial, PartialFiles partials, BackupJobOptions o, DumpProgress? progress, CancellationToken ct)
    {
        if (source.Producer is { } producer)
        {
            return await ProduceAsync(producer, partial, partials, o, progress, ct).ConfigureAwait(false);
        }

        var command = source.Command!;
        // Claimed before the tool starts: a partial that already exists fails the run here, and is left alone.
        var file = partials.Create(partial);
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
            throw new BackupFailedException(BackupReasons.Empty, $"{Path.GetFileName(command.FileName)} exited 0 but wrote nothing");
        }

        return new Dumped(written, exit.StandardError, null);
    }

    /// <summary>An in-process producer writes into a bounded pipe that the compressor reads, as a tool's stdout would be.</summary>
    private static async Task<Dumped> ProduceAsync(IDumpProducer producer, string partial, PartialFiles partials, BackupJobOptions o, DumpProgress? progress, CancellationToken ct)
    {
        var file = partials.Create(partial);
        await using var output = file;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false));
        var producing = Task.Run(async () =>
        {
            try
            {
                await using var destination = pipe.Writer.AsStream(leaveOpen: true);
                var facts = await producer.WriteAsync(destination, stop.Token).ConfigureAwait(false);
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
                return facts;
            }
            catch (Exception ex)
            {
                await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None);

        DumpWriteResult written;
        try
        {
            await using var source = pipe.Reader.AsStream();
            written = await DumpWriter.WriteAsync(source, output, o.Compression, o.CompressionLevel, progress, ct).ConfigureAwait(false);
        }
        catch
        {
            // A producer that failed first completed the pipe with its exception, which is what the read threw here; when
            // the write failed first (a full disk, a stop), the producer's next write throws and its token is cancelled.
            await stop.CancelAsync().ConfigureAwait(false);
            await producing.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        var facts = await producing.ConfigureAwait(false);
        if (written.UncompressedBytes == 0)
        {
            throw new BackupFailedException(BackupReasons.Empty, $"{producer.Display} wrote nothing");
        }

        return new Dumped(written, string.Empty, facts);
    }

    private static void CheckFreeSpace(string job, BackupJobOptions o)
    {
        var directory = o.Directory!;
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
            throw new BackupFailedException(BackupReasons.NoSpace, $"only {free} bytes free in {directory}, need {needed}: {why}");
        }
    }

    /// <summary>Puts a published backup in each copy's durable queue, so a restart or kill before its copy pass loses nothing.</summary>
    private void Enqueue(BackupRequest request, BackupFile file)
    {
        foreach (var copy in request.Options.Copies.Keys)
        {
            try
            {
                Copies.CopyStateStore.Enqueue(request.StateDirectory, request.Job, copy, file.FileName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The queue only says that a pass is due; the pass itself lists the target and finds the backup missing.
                BackupLog.DeleteFailed(logger, request.Job, Copies.CopyStateStore.Folder(request.StateDirectory, request.Job), ex.Message);
            }
        }
    }
}
