using System.Text;
using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Verification;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups.Copies;

/// <summary>A backup brought back from a target into a local folder, decrypted and checked.</summary>
/// <param name="Path">The local data file (with its <c>.json</c> and a <c>.sha256</c> of the plain bytes beside it).</param>
/// <param name="Where">Where it came from (<c>s3://bucket/prefix/name</c>).</param>
/// <param name="Metadata">The <c>.json</c> written when the backup was taken.</param>
internal sealed record FetchedBackup(string Path, string Where, BackupMetadata? Metadata);

/// <summary>Reads a job's backups back from a target: the listing <c>backup list --target</c> prints and the download <c>backup restore --from</c> restores.</summary>
/// <remarks>
/// A download is checked twice before anything reaches a database: the bytes against the target's <c>.sha256</c> (what was
/// sent), and after <c>age --decrypt</c> the plain bytes against the SHA-256 recorded when the backup was taken.
/// </remarks>
internal sealed class CopyFetcher(CopyTargetTypes types, ToolRunner tools, SecretResolver secrets, TimeProvider time, ILogger<CopyFetcher> logger)
{
    /// <summary>The copy of the job a name means: a copy's key, or the target a copy goes to.</summary>
    public static (string Copy, CopyOptions Options)? Resolve(BackupJobOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (copy, o) in options.Copies)
        {
            if (o is not null && string.Equals(copy, name, StringComparison.OrdinalIgnoreCase))
            {
                return (copy, o);
            }
        }

        foreach (var (copy, o) in options.Copies)
        {
            if (o is not null && string.Equals(CopyValidation.TargetOf(copy, o), name, StringComparison.OrdinalIgnoreCase))
            {
                return (copy, o);
            }
        }

        return null;
    }

    /// <summary>Every backup of the job on the copy's target, newest first, with what the copy's retention decides for each.</summary>
    /// <exception cref="CopyFailedException">The target cannot be reached or listed.</exception>
    public async Task<IReadOnlyList<RemoteListEntry>> ListAsync(CopyRequest request, string copy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (options, target, session) = await ConnectAsync(request, copy, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var folder = options.Folder ?? string.Empty;
            var listing = await ListAsync(session, folder, request.Job, cancellationToken).ConfigureAwait(false);
            var policy = options.Retention.IsWritten ? options.Retention : request.Options.Retention;
            var decisions = CopyPlanner.Remote([.. listing.Complete], policy, request.TimeZone).ToDictionary(d => d.Backup.DataName, d => d.Decision, StringComparer.Ordinal);
            return [.. listing.Backups.Select(b => decisions.TryGetValue(b.DataName, out var d)
                ? new RemoteListEntry(b.Name, session.Describe(folder, b.DataName), b.Time, b.Size, true, b.Encrypted, b.StorageClass, d.Keep, d.Rules)
                : new RemoteListEntry(b.Name, session.Describe(folder, b.DataName), b.Time, b.Size, false, b.Encrypted, b.StorageClass, false, ["incomplete"])),
                .. listing.Future.Select(b => new RemoteListEntry(b.Name, session.Describe(folder, b.DataName), b.Time, b.Size, b.Complete, b.Encrypted, b.StorageClass, false, [Files.IgnoredBackupReasons.FutureDated]))];
        }
    }

    /// <summary>
    /// Downloads one backup of the job (<paramref name="file"/>, or the newest complete one) into <paramref name="directory"/>,
    /// decrypting it when it is encrypted, after <paramref name="confirm"/> has seen its metadata and agreed.
    /// </summary>
    /// <returns>The local copy, or null when <paramref name="confirm"/> declined.</returns>
    /// <exception cref="CopyFailedException">No such backup, an archived object (<see cref="CopyReasons.NeedsThaw"/>), a checksum that differs, a decryption that failed.</exception>
    public async Task<FetchedBackup?> FetchAsync(CopyRequest request, string copy, string? file, string? identityFile, string directory,
        Func<BackupMetadata?, string, CancellationToken, Task<bool>> confirm, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(confirm);
        var (options, target, session) = await ConnectAsync(request, copy, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var folder = options.Folder ?? string.Empty;
            var listing = await ListAsync(session, folder, request.Job, cancellationToken).ConfigureAwait(false);
            var backup = Pick(request.Job, listing, file, session, folder);
            var where = session.Describe(folder, backup.DataName);
            var sums = Encoding.UTF8.GetString(await ReadSmallAsync(session, folder, backup.DataName + ".sha256", cancellationToken).ConfigureAwait(false));
            var expected = ParseChecksum(sums, backup.DataName)
                ?? throw new CopyFailedException(CopyReasons.ChecksumMismatch, $"{where}.sha256 has no line for {backup.DataName}: not restored");
            DurableFiles.EnsureDirectory(directory);
            var metadataBytes = await ReadSmallAsync(session, folder, backup.DataName + ".json", cancellationToken).ConfigureAwait(false);
            var path = Path.Combine(directory, backup.Name);
            await DurableFiles.WriteAllAsync(path + ".json", metadataBytes, cancellationToken).ConfigureAwait(false);
            var metadata = BackupMetadata.TryRead(path + ".json");
            if (!await confirm(metadata, where, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            string? identity = null;
            if (backup.Encrypted)
            {
                identity = identityFile ?? request.Options.Encryption?.IdentityFile;
                if (string.IsNullOrWhiteSpace(identity))
                {
                    throw new CopyFailedException(CopyReasons.DecryptionFailed,
                        $"{where} is encrypted: give --identity FILE (an age identity whose recipient is in the job's Encryption:Recipients) or set {BackupsOptions.SectionName}:{request.Job}:Encryption:IdentityFile");
                }

                if (!File.Exists(identity))
                {
                    throw new CopyFailedException(CopyReasons.DecryptionFailed, $"the age identity file {identity} does not exist");
                }
            }

            using var limit = CopyRunner.Limit(target, cancellationToken);
            await CopyRunner.Guard(() => DownloadAsync(backup, session, folder, where, expected, identity, request.Options.Encryption?.AgePath, metadata, path, progress, limit.Token), limit, cancellationToken).ConfigureAwait(false);
            CopyLog.Fetched(logger, request.Job, copy, where, path);
            return new FetchedBackup(path, where, metadata);
        }
    }

    private async Task<bool> DownloadAsync(RemoteBackup backup, ICopySession session, string folder, string where, string expected, string? identity, string? agePath,
        BackupMetadata? metadata, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var remote = await session.OpenReadAsync(folder, backup.DataName, cancellationToken).ConfigureAwait(false);
        var downloaded = new CopyStream(remote, 0, time, (s, _) => string.Equals(s.Sha256, expected, StringComparison.OrdinalIgnoreCase) ? ValueTask.CompletedTask
            : throw new CopyFailedException(CopyReasons.ChecksumMismatch, $"{where}: the downloaded bytes' SHA-256 is {s.Sha256}, its .sha256 says {expected}: not restored"), progress);
        await using (downloaded.ConfigureAwait(false))
        {
            var content = identity is null ? downloaded
                : await AgeEncryption.StartAsync(tools, AgeEncryption.DecryptCommand(agePath, identity), downloaded, CopyReasons.DecryptionFailed, cancellationToken).ConfigureAwait(false);
            var recorded = metadata?.Sha256;
            var plain = new CopyStream(content, 0, time, (s, _) => recorded is null || string.Equals(s.Sha256, recorded, StringComparison.OrdinalIgnoreCase) ? ValueTask.CompletedTask
                : throw new CopyFailedException(CopyReasons.ChecksumMismatch, $"{where}: the {(identity is null ? "downloaded" : "decrypted")} backup's SHA-256 is {s.Sha256}, {recorded} was recorded when it was taken: not restored"));
            var partial = path + BackupFileNames.PartialSuffix;
            try
            {
                await using (plain.ConfigureAwait(false))
                {
                    await using var output = DurableFiles.CreatePrivate(partial);
                    await plain.CopyToAsync(output, 1 << 20, cancellationToken).ConfigureAwait(false);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                File.Move(partial, path, overwrite: true);
                await DurableFiles.WriteAllAsync(path + ".sha256", Encoding.UTF8.GetBytes(BackupVerifier.ChecksumLine(plain.Sha256, backup.Name)), cancellationToken).ConfigureAwait(false);
                return true;
            }
            finally
            {
                File.Delete(partial);
            }
        }
    }

    private async Task<RemoteListing> ListAsync(ICopySession session, string folder, string job, CancellationToken cancellationToken)
        => RemoteListing.Read(job, await CopyRunner.Guard(() => session.ListAsync(folder, job + "_", cancellationToken), null, cancellationToken).ConfigureAwait(false), time.GetUtcNow());

    private static RemoteBackup Pick(string job, RemoteListing listing, string? file, ICopySession session, string folder)
    {
        if (file is null)
        {
            return listing.Complete.FirstOrDefault()
                ?? throw new CopyFailedException(CopyReasons.NotFound, $"{session.Describe(folder, string.Empty)} holds no complete backup of {job}");
        }

        var name = Path.GetFileName(file);
        if (listing.Future.FirstOrDefault(b => b.Name == name || b.DataName == name) is { } future)
        {
            throw new CopyFailedException(CopyReasons.NotFound, $"{session.Describe(folder, future.DataName)} is dated {future.Time:u}, in the future: not counted as a backup of {job} (a wrong clock or another writer); download it by hand if you trust it");
        }

        var backup = listing.Backups.FirstOrDefault(b => b.Name == name || b.DataName == name)
            ?? throw new CopyFailedException(CopyReasons.NotFound, $"{session.Describe(folder, name)}: no such backup of {job} (opsagent backup list {job} --target ... shows what is there)");
        return backup.Complete ? backup
            : throw new CopyFailedException(CopyReasons.NotFound, $"{session.Describe(folder, backup.DataName)} is an upload that never completed (no .sha256 or .json): not a backup");
    }

    private static string? ParseChecksum(string sums, string name)
    {
        foreach (var line in sums.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[1].TrimStart('*') == name && parts[0].Length == 64)
            {
                return parts[0];
            }
        }

        return null;
    }

    /// <summary>A sidecar: small by nature, so a target that returns more than a few MiB for one is not trusted with memory.</summary>
    private static async Task<byte[]> ReadSmallAsync(ICopySession session, string folder, string name, CancellationToken cancellationToken)
    {
        const int Limit = 4 << 20;
        var stream = await CopyRunner.Guard(() => session.OpenReadAsync(folder, name, cancellationToken), null, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > Limit)
                {
                    throw new CopyFailedException(CopyReasons.ChecksumMismatch, $"{session.Describe(folder, name)} is larger than {Limit >> 20} MiB: not a sidecar the agent wrote");
                }
            }

            return buffer.ToArray();
        }
    }

    private async Task<(CopyOptions Options, CopyTargetOptions Target, ICopySession Session)> ConnectAsync(CopyRequest request, string copy, CancellationToken cancellationToken)
    {
        if (Resolve(request.Options, copy) is not { } found)
        {
            var known = string.Join(", ", request.Options.Copies.Keys.Order(StringComparer.Ordinal));
            throw new CopyFailedException(CopyReasons.NotFound, $"the job {request.Job} has no copy '{copy}' (its copies: {(known.Length == 0 ? "none" : known)})");
        }

        var targetName = CopyValidation.TargetOf(found.Copy, found.Options);
        if (!request.Targets.TryGetValue(targetName, out var target) || types.Find(target.Type) is not { } registration)
        {
            throw new CopyFailedException(CopyReasons.NotFound, $"the target '{targetName}' is not configured");
        }

        var context = new CopyTargetContext(targetName, $"{CopyTargetsOptions.SectionName}:{targetName}", target, secrets, tools, time, logger);
        using var connect = CopyRunner.Limit(target, cancellationToken);
        var session = await CopyRunner.Guard(() => registration.Factory.ConnectAsync(context, target, connect.Token), connect, cancellationToken).ConfigureAwait(false);
        return (found.Options, target, session);
    }
}
