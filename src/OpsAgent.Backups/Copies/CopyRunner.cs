using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Verification;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Copies;

/// <summary>
/// The copy stage: after a backup is published, outside the job's dump lock, it brings each target of the job up to what
/// the copy's retention keeps, then applies that retention to the target's own listing.
/// </summary>
/// <remarks>
/// What is on the target is the truth: each pass lists it and uploads every local verified backup the copy's retention keeps
/// but the target lacks, oldest first (so an outage is caught up), data first, then <c>.json</c>, then <c>.sha256</c> last,
/// each checked against what the target then holds. A failed copy never fails or deletes the local backup. A local wipe never
/// deletes a remote copy: remote deletions come only from the copy's retention over the remote listing, which keeps the newest.
/// Passes of one job run one at a time (<c>locks/copy-&lt;job&gt;.lock</c>, shared with the CLI); a dump of the job may run
/// meanwhile.
/// </remarks>
internal sealed class CopyRunner(CopyTargetTypes types, ToolRunner tools, SecretResolver secrets, CopyStateStore store, SecretRedactor redactor, TimeProvider time, ILogger<CopyRunner> logger)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);

    /// <summary>A remote backup that never got its <c>.sha256</c> is an interrupted upload; after this long no pass of ours is still writing it.</summary>
    internal static readonly TimeSpan IncompleteGrace = TimeSpan.FromDays(1);

    /// <summary>Runs a pass for each of the job's copies (or only <paramref name="only"/>), one after the other.</summary>
    public async Task<IReadOnlyList<CopyResult>> RunAsync(CopyRequest request, string? only, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var copies = request.Options.Copies.Where(c => c.Value is not null && (only is null || string.Equals(c.Key, only, StringComparison.OrdinalIgnoreCase))).ToList();
        if (copies.Count == 0)
        {
            return [];
        }

        BackupJobLock? held;
        try
        {
            held = BackupJobLock.TryAcquire(request.StateDirectory, request.Job, "copy");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [.. copies.Select(c => Failed(request, c.Key, c.Value, BackupReasons.StateUnwritable, $"cannot take the job's copy lock: {ex.Message}"))];
        }

        if (held is null)
        {
            var lockPath = BackupJobLock.PathFor(request.StateDirectory, request.Job, "copy");
            using (EventScope.Begin(logger, "copy_refused"))
            {
                CopyLog.Refused(logger, request.Job, lockPath);
            }

            return [.. copies.Select(c => new CopyResult(c.Key, CopyValidation.TargetOf(c.Key, c.Value), false, CopyReasons.AlreadyRunning,
                $"another process holds {lockPath}; its pass covers the queue", 0, 0, -1, 0))];
        }

        using var copyLock = held;
        var results = new List<CopyResult>();
        try
        {
            foreach (var (copy, options) in copies)
            {
                results.Add(await PassAsync(request, copy, options, progress, cancellationToken).ConfigureAwait(false));
            }
        }
        finally
        {
            CopyStateStore.SetUploading(request.StateDirectory, request.Job, null);
        }

        return results;
    }

    private CopyResult Failed(CopyRequest request, string copy, CopyOptions options, string reason, string message)
    {
        var target = CopyValidation.TargetOf(copy, options);
        message = redactor.Redact(message);
        using (EventScope.Begin(logger, "copy_failed", ("Target", target)))
        {
            CopyLog.Failed(logger, request.Job, copy, reason, message);
        }

        store.Counters(request.Job, copy).Ran(reason);
        return new CopyResult(copy, target, false, reason, message, 0, 0, -1, 0);
    }

    private async Task<CopyResult> PassAsync(CopyRequest request, string copy, CopyOptions options, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        var job = request.Job;
        var o = request.Options;
        var targetName = CopyValidation.TargetOf(copy, options);
        if (!request.Targets.TryGetValue(targetName, out var target) || types.Find(target.Type) is not { } registration)
        {
            return Failed(request, copy, options, CopyReasons.NotFound, $"the target '{targetName}' is not configured");
        }

        var folder = options.Folder ?? string.Empty;
        var policy = options.Retention.IsWritten ? options.Retention : o.Retention;
        var state = CopyStateStore.Read(request.StateDirectory, job, copy);
        var counters = store.Counters(job, copy);
        var uploaded = 0;
        var deleted = 0;
        long bytes = 0;
        var local = BackupFileNames.Scan(o.Directory!, job, time.GetUtcNow());
        var context = new CopyTargetContext(targetName, $"{CopyTargetsOptions.SectionName}:{targetName}", target, secrets, tools, time, logger);
        try
        {
            ICopySession session;
            using (var connect = Limit(target, cancellationToken))
            {
                session = await Guard(() => registration.Factory.ConnectAsync(context, target, connect.Token), connect, cancellationToken).ConfigureAwait(false);
            }

            await using (session.ConfigureAwait(false))
            {
                var removed = await Guard(() => session.RemoveIncompleteAsync(folder, job + "_", name => RemoteListing.Belongs(job, name), cancellationToken), null, cancellationToken).ConfigureAwait(false);
                if (removed > 0)
                {
                    CopyLog.IncompleteRemoved(logger, job, copy, removed);
                }

                var listing = await ListAsync(session, folder, job, copy, cancellationToken).ConfigureAwait(false);
                Remember(state, listing);
                var missing = CopyPlanner.Missing(local, Remote(state), policy, request.TimeZone);
                var where = session.Describe(folder, string.Empty);
                CopyLog.Started(logger, job, copy, missing.Count, where);
                foreach (var backup in missing)
                {
                    CopyStateStore.SetUploading(request.StateDirectory, job, backup.FileName);
                    var sent = await UploadBackupAsync(request, copy, options, target, session, folder, backup, progress, cancellationToken).ConfigureAwait(false);
                    uploaded++;
                    bytes += sent;
                    counters.AddBytes(sent);
                    state.Remote.RemoveAll(r => r.Name == backup.FileName);
                    state.Remote.Add(new CopyTargetState.RemoteEntry(backup.FileName, backup.Time, sent));
                    CopyStateStore.Dequeue(request.StateDirectory, job, copy, backup.FileName);
                    await CopyStateStore.WriteAsync(request.StateDirectory, job, copy, state, cancellationToken).ConfigureAwait(false);
                }

                CopyStateStore.SetUploading(request.StateDirectory, job, null);

                // The truth again, after the uploads: retention decides over what the target says it holds.
                listing = await ListAsync(session, folder, job, copy, cancellationToken).ConfigureAwait(false);
                deleted = await ApplyRemoteRetentionAsync(request, copy, policy, session, folder, listing, cancellationToken).ConfigureAwait(false);
                listing = deleted > 0 ? await ListAsync(session, folder, job, copy, cancellationToken).ConfigureAwait(false) : listing;
                Remember(state, listing);
            }

            var pending = CopyPlanner.Missing(local, Remote(state), policy, request.TimeZone);
            foreach (var queued in CopyStateStore.Queued(request.StateDirectory, job, copy).Where(q => !pending.Any(p => p.FileName == q)))
            {
                CopyStateStore.Dequeue(request.StateDirectory, job, copy, queued);
            }

            var now = time.GetUtcNow();
            state.LastSuccess = state.LastAttempt = now;
            state.LastResult = "success";
            state.LastReason = state.LastMessage = null;
            await CopyStateStore.WriteAsync(request.StateDirectory, job, copy, state, cancellationToken).ConfigureAwait(false);
            counters.Ran("success");
            counters.Files = state.Remote.Count;
            counters.Pending = pending.Count;
            counters.LastSuccess = now;
            if (uploaded == 0)
            {
                CopyLog.UpToDate(logger, job, copy, state.Remote.Count);
            }

            return new CopyResult(copy, targetName, true, null, $"{uploaded} uploaded, {deleted} deleted, {state.Remote.Count} on the target", uploaded, deleted, pending.Count, bytes);
        }
        catch (Exception ex) when (Classify(ex, cancellationToken) is { } failure)
        {
            var message = redactor.Redact(failure.Message);
            using (EventScope.Begin(logger, "copy_failed", ("Target", targetName)))
            {
                CopyLog.Failed(logger, job, copy, failure.Reason, message);
            }

            counters.Ran(failure.Reason);
            state.LastAttempt = time.GetUtcNow();
            state.LastResult = "failure";
            state.LastReason = failure.Reason;
            state.LastMessage = message;
            var pending = CopyPlanner.Missing(local, Remote(state), policy, request.TimeZone);
            counters.Pending = pending.Count;
            counters.Files = state.Remote.Count;
            try
            {
                await CopyStateStore.WriteAsync(request.StateDirectory, job, copy, state, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception io) when (io is IOException or UnauthorizedAccessException)
            {
                // The failure itself is what the operator must see; the state is rewritten by the next pass.
            }

            if (failure.Reason == CopyReasons.Cancelled)
            {
                throw;
            }

            return new CopyResult(copy, targetName, false, failure.Reason, message, uploaded, deleted, pending.Count, bytes);
        }
    }

    private static List<(string Name, DateTimeOffset Time)> Remote(CopyTargetState state) => [.. state.Remote.Select(r => (r.Name, r.Time))];

    private void Remember(CopyTargetState state, RemoteListing listing)
    {
        state.Remote = [.. listing.Complete.Select(b => new CopyTargetState.RemoteEntry(b.Name, b.Time, b.Size))];
        state.ListedAt = time.GetUtcNow();
    }

    private async Task<RemoteListing> ListAsync(ICopySession session, string folder, string job, string copy, CancellationToken cancellationToken)
    {
        var listing = RemoteListing.Read(job, await Guard(() => session.ListAsync(folder, job + "_", cancellationToken), null, cancellationToken).ConfigureAwait(false), time.GetUtcNow());
        foreach (var future in listing.Future)
        {
            var where = session.Describe(folder, future.DataName);
            if (_reported.TryAdd(where, 0))
            {
                using (EventScope.Begin(logger, "copy_ignored", ("Reason", Files.IgnoredBackupReasons.FutureDated)))
                {
                    CopyLog.RemoteIgnored(logger, job, copy, where);
                }
            }
        }

        return listing;
    }

    /// <summary>Uploads one backup: its companions and data (encrypted when the copy says so), then <c>.json</c>, then <c>.sha256</c>.</summary>
    /// <returns>The bytes sent.</returns>
    private async Task<long> UploadBackupAsync(CopyRequest request, string copy, CopyOptions options, CopyTargetOptions target, ICopySession session, string folder,
        BackupFile backup, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var suffix = options.Encrypt ? AgeEncryption.Suffix : string.Empty;
        var dataName = backup.FileName + suffix;
        var files = new List<string>();
        if (backup.Metadata?.GlobalsFile is { } globals)
        {
            files.Add(globals);
        }

        files.Add(backup.FileName);
        var checksums = new StringBuilder();
        long sent = 0;
        var checkedBy = "size";
        foreach (var name in files)
        {
            var path = Path.Combine(Path.GetDirectoryName(backup.Path)!, name);
            var expected = BackupVerifier.ReadChecksum(backup.ChecksumPath, name)
                ?? throw new CopyFailedException(CopyReasons.ChecksumMismatch, $"{backup.ChecksumPath} has no line for {name}: not copied");
            var result = await TransferAsync(request, copy, options, target, session, new UploadRequest(folder, name + suffix, options.Encrypt ? null : new FileInfo(path).Length, options.StorageClass),
                ct => Task.FromResult<Stream>(LocalSource(path, expected)), options.Encrypt, progress, cancellationToken).ConfigureAwait(false);
            checksums.Append(BackupVerifier.ChecksumLine(result.Sha256, name + suffix));
            sent += result.Bytes;
            checkedBy = result.CheckedBy;
        }

        // The sidecars stay readable at once: a restore and every pass read them, and a thawed GLACIER .sha256 per backup would make both wait hours.
        var sidecarClass = options.StorageClass is "GLACIER" or "DEEP_ARCHIVE" ? "STANDARD" : options.StorageClass;
        var metadata = await File.ReadAllBytesAsync(backup.MetadataPath, cancellationToken).ConfigureAwait(false);
        await TransferAsync(request, copy, options, target, session, new UploadRequest(folder, dataName + ".json", metadata.Length, sidecarClass),
            _ => Task.FromResult<Stream>(new MemoryStream(metadata, writable: false)), false, null, cancellationToken).ConfigureAwait(false);
        var sums = Encoding.UTF8.GetBytes(checksums.ToString());
        await TransferAsync(request, copy, options, target, session, new UploadRequest(folder, dataName + ".sha256", sums.Length, sidecarClass),
            _ => Task.FromResult<Stream>(new MemoryStream(sums, writable: false)), false, null, cancellationToken).ConfigureAwait(false);

        var where = session.Describe(folder, dataName);
        var seconds = time.GetElapsedTime(started).TotalSeconds;
        using (EventScope.Begin(logger, "copy_succeeded", ("Target", CopyValidation.TargetOf(copy, options))))
        {
            CopyLog.Succeeded(logger, request.Job, copy, backup.FileName, where, sent, checkedBy, seconds);
        }

        return sent;
    }

    /// <summary>The local file, refusing at its end to have been a clean read unless its bytes still match its <c>.sha256</c>.</summary>
    private CopyStream LocalSource(string path, string expected)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return new CopyStream(file, 0, time, (s, _) => s.Sha256 == expected ? ValueTask.CompletedTask
            : throw new CopyFailedException(CopyReasons.ChecksumMismatch, $"{path} no longer matches its .sha256 (the local file changed or rotted since it was verified): not copied; run opsagent backup verify {path}"));
    }

    private sealed record Sent(string Sha256, long Bytes, string CheckedBy);

    /// <summary>One file to the target with the copy's retries: streamed, encrypted when asked, checked against what the target then holds.</summary>
    private async Task<Sent> TransferAsync(CopyRequest request, string copy, CopyOptions options, CopyTargetOptions target, ICopySession session, UploadRequest upload,
        Func<CancellationToken, Task<Stream>> open, bool encrypt, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        var pipeline = RetryPolicy.Create<Sent>(options.Retries, options.RetryDelay, time,
            outcome => outcome.Exception is CopyFailedException failed && IsTransient(failed.Reason) && !cancellationToken.IsCancellationRequested,
            (attempt, outcome, delay) =>
            {
                var failed = (CopyFailedException)outcome.Exception!;
                CopyLog.Retrying(logger, request.Job, copy, attempt, upload.Name, failed.Reason, redactor.Redact(failed.Message), delay);
            });
        return await pipeline.ExecuteAsync(async ct =>
        {
            using var limit = Limit(target, ct);
            return await Guard(() => TransferOnceAsync(request, copy, target, session, upload, open, encrypt, progress, limit.Token), limit, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Sent> TransferOnceAsync(CopyRequest request, string copy, CopyTargetOptions target, ICopySession session, UploadRequest upload,
        Func<CancellationToken, Task<Stream>> open, bool encrypt, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        var source = await open(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var content = encrypt
                ? await AgeEncryption.StartAsync(tools, AgeEncryption.EncryptCommand(request.Options.Encryption!), source, CopyReasons.EncryptionFailed, cancellationToken).ConfigureAwait(false)
                : source;
            var total = upload.Length ?? 0;
            var reporter = progress is null ? null : new Progress<long>(b => progress.Report(new CopyProgress(copy, upload.Name, b, total)));
            var sent = new CopyStream(content, target.MaxBytesPerSecond, time, null, reporter);
            await using (sent.ConfigureAwait(false))
            {
                var remote = await session.UploadAsync(upload, sent, cancellationToken).ConfigureAwait(false);
                string? problem = !sent.Completed ? "the target did not read the whole file"
                    : remote.Size != sent.BytesRead ? $"the target holds {remote.Size} bytes, {sent.BytesRead} were sent"
                    : remote.Sha256 is { } sha && !string.Equals(sha, sent.Sha256, StringComparison.OrdinalIgnoreCase) ? $"the target's SHA-256 is {sha}, {sent.Sha256} was sent"
                    : null;
                if (problem is not null)
                {
                    await session.DeleteAsync(upload.Folder, upload.Name, CancellationToken.None).ConfigureAwait(false);
                    throw new CopyFailedException(CopyReasons.ChecksumMismatch, $"{session.Describe(upload.Folder, upload.Name)}: {problem}; removed from the target");
                }

                return new Sent(sent.Sha256, sent.BytesRead, remote.Sha256 is null ? "size" : "size and sha256");
            }
        }
    }

    /// <summary>Deletes what the copy's retention does not keep from the remote listing; returns how many backups went.</summary>
    private async Task<int> ApplyRemoteRetentionAsync(CopyRequest request, string copy, RetentionOptions policy, ICopySession session, string folder, RemoteListing listing, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var rule = Retention.RetentionPlanner.Describe(policy);
        var doomed = CopyPlanner.Remote([.. listing.Complete], policy, request.TimeZone).Where(d => !d.Decision.Keep).Select(d => d.Backup).ToList();
        var now = time.GetUtcNow();
        // An upload that never got its .sha256 counts for nothing; once no pass can still be writing it, it goes too.
        // Judged by when the target says it was written (a name's date can be anything), else by the name.
        var stale = listing.Backups.Where(b => !b.Complete && (b.Modified ?? b.Time) < now - IncompleteGrace).ToList();
        foreach (var backup in doomed.Concat(stale))
        {
            var where = session.Describe(folder, backup.DataName);
            if (policy.DryRun && backup.Complete)
            {
                using (EventScope.Begin(logger, "backup_would_delete"))
                {
                    BackupLog.WouldDelete(logger, request.Job, where, rule);
                }

                continue;
            }

            // Data first and the checksum last, as locally: interrupted, this leaves sidecars without data (removed as
            // orphans next time), never a data object that still looks like a backup with half of it gone.
            var order = backup.Files.Where(f => f == backup.DataName)
                .Concat(backup.Files.Where(f => f != backup.DataName && !f.EndsWith(".json", StringComparison.Ordinal) && !f.EndsWith(".sha256", StringComparison.Ordinal)))
                .Concat(backup.Files.Where(f => f.EndsWith(".json", StringComparison.Ordinal)))
                .Concat(backup.Files.Where(f => f.EndsWith(".sha256", StringComparison.Ordinal)));
            if (!await DeleteAllAsync(request.Job, copy, session, folder, order, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            using (EventScope.Begin(logger, "copy_deleted"))
            {
                CopyLog.Deleted(logger, request.Job, copy, where, backup.Complete ? rule : "an upload that never completed");
            }

            deleted++;
        }

        await DeleteAllAsync(request.Job, copy, session, folder, listing.Orphans, cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    private async Task<bool> DeleteAllAsync(string job, string copy, ICopySession session, string folder, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        foreach (var name in names)
        {
            try
            {
                await Guard(() => session.DeleteAsync(folder, name, cancellationToken), null, cancellationToken).ConfigureAwait(false);
            }
            catch (CopyFailedException ex)
            {
                CopyLog.DeleteFailed(logger, job, copy, session.Describe(folder, name), ex.Reason, redactor.Redact(ex.Message));
                return false;
            }
        }

        return true;
    }

    internal static CancellationTokenSource Limit(CopyTargetOptions target, CancellationToken cancellationToken)
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(target.Timeout);
        return limit;
    }

    /// <summary>Runs a target call, turning whatever it throws (but a stop) into a <see cref="CopyFailedException"/> with a reason.</summary>
    internal static async Task<T> Guard<T>(Func<Task<T>> call, CancellationTokenSource? limit, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && limit?.IsCancellationRequested == true)
        {
            throw new CopyFailedException(CopyReasons.Timeout, "the transfer exceeded the target's Timeout", ex);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not CopyFailedException and not OperationCanceledException && Reason(ex) is { } reason)
        {
            throw new CopyFailedException(reason, $"{ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    internal static Task<bool> Guard(Func<Task> call, CancellationTokenSource? limit, CancellationToken cancellationToken)
        => Guard(async () => { await call().ConfigureAwait(false); return true; }, limit, cancellationToken);

    private static string? Reason(Exception ex) => ex switch
    {
        SecretResolutionException => CopyReasons.Secret,
        IOException or UnauthorizedAccessException => CopyErrors.FromIo(ex, string.Empty).Reason,
        System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException => CopyReasons.Unreachable,
        OutOfMemoryException => null,
        _ => CopyReasons.TransferFailed,
    };

    private static bool IsTransient(string reason) => reason is CopyReasons.Unreachable or CopyReasons.Timeout or CopyReasons.TransferFailed or CopyReasons.ChecksumMismatch;

    internal sealed record Failure(string Reason, string Message);

    internal static Failure? Classify(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        _ when cancellationToken.IsCancellationRequested => new Failure(CopyReasons.Cancelled, "stopped; what was being uploaded is not counted and goes again at the next pass"),
        CopyFailedException c => new Failure(c.Reason, c.Message),
        OutOfMemoryException => null,
        _ when Reason(ex) is { } reason => new Failure(reason, $"{ex.GetType().Name}: {ex.Message}"),
        _ => null,
    };
}
