using OpsAgent.Backups.Files;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace OpsAgent.Backups.Copies.Sftp;

/// <summary>One SFTP session of a copy pass: <c>.partial</c>, size check, optional read-back, rename.</summary>
internal sealed class SftpCopySession(SftpClient client, PrivateKeyFile key, SftpTargetOptions options) : ICopySession
{
    /// <summary>How long removing what a failed upload left may take once the pass itself was cancelled.</summary>
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Below this much free space a bare <c>SSH_FX_FAILURE</c> of a write is taken for a full disk.</summary>
    private const ulong FullBelow = 1 << 20;

    private readonly string _root = options.Root;

    private readonly string _where = $"{options.User}@{KnownHosts.NameOf(options.Host!, options.Port)}";

    public string Describe(string folder, string name)
    {
        var host = options.Host!.Contains(':', StringComparison.Ordinal) ? $"[{options.Host}]" : options.Host;
        return $"sftp://{options.User}@{host}:{options.Port}{Join(Folder(folder), name)}";
    }

    public async Task<IReadOnlyList<RemoteFile>> ListAsync(string folder, string namePrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(namePrefix);
        var directory = Folder(folder);
        var files = new List<RemoteFile>();
        try
        {
            await foreach (var file in client.ListDirectoryAsync(directory, cancellationToken).ConfigureAwait(false))
            {
                // The server's readdir reports links as links (lstat): a link is never taken for a backup.
                if (file.IsRegularFile && file.Name.StartsWith(namePrefix, StringComparison.Ordinal))
                {
                    files.Add(new RemoteFile(file.Name, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero)));
                }
            }
        }
        catch (SftpPathNotFoundException)
        {
            return [];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw SftpErrors.From(ex, $"cannot list {directory} on {_where}");
        }

        return files;
    }

    public async Task<RemoteFile> UploadAsync(UploadRequest request, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(content);
        var directory = Folder(request.Folder);
        var final = Join(directory, request.Name);
        var partial = final + BackupFileNames.PartialSuffix;
        await CreateFoldersAsync(request.Folder, cancellationToken).ConfigureAwait(false);

        using var sent = new SentStream(content, options.VerifyReadBack, cancellationToken);
        try
        {
            // A partial here is an interrupted copy's (the job's copy lock is held): it is ours to replace.
            await client.UploadFileAsync(sent, partial, canOverride: true, uploadProgress: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await RemoveAsync(partial).ConfigureAwait(false);
            if (sent.Failed || ex is OperationCanceledException)
            {
                throw;
            }

            if (SftpErrors.IsBareFailure(ex) && await IsFullAsync(directory).ConfigureAwait(false))
            {
                throw new CopyFailedException(CopyReasons.NoSpace, $"cannot write {partial} on {_where}: the file system there is full ({ex.Message})", ex);
            }

            throw SftpErrors.From(ex, $"cannot write {partial} on {_where}");
        }

        try
        {
            var sha256 = await VerifyAsync(partial, sent, cancellationToken).ConfigureAwait(false);
            await RenameAsync(partial, final, cancellationToken).ConfigureAwait(false);
            var written = await client.GetAttributesAsync(final, cancellationToken).ConfigureAwait(false);
            return new RemoteFile(request.Name, written.Size, new DateTimeOffset(written.LastWriteTimeUtc, TimeSpan.Zero), sha256);
        }
        catch (Exception ex)
        {
            await RemoveAsync(partial).ConfigureAwait(false);
            if (ex is OperationCanceledException or CopyFailedException)
            {
                throw;
            }

            throw SftpErrors.From(ex, $"cannot finish {final} on {_where}");
        }
    }

    public async Task DeleteAsync(string folder, string name, CancellationToken cancellationToken)
    {
        var path = Join(Folder(folder), name);
        try
        {
            await client.DeleteFileAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException)
        {
            // Already gone: what the caller wanted.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw SftpErrors.From(ex, $"cannot delete {path} on {_where}");
        }
    }

    public async Task<Stream> OpenReadAsync(string folder, string name, CancellationToken cancellationToken)
    {
        var path = Join(Folder(folder), name);
        try
        {
            return await client.OpenAsync(path, FileMode.Open, FileAccess.Read, cancellationToken).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException ex)
        {
            throw new CopyFailedException(CopyReasons.NotFound, $"{path} does not exist on {_where}", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw SftpErrors.From(ex, $"cannot read {path} on {_where}");
        }
    }

    public async Task<int> RemoveIncompleteAsync(string folder, string namePrefix, Func<string, bool> belongs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(belongs);
        var removed = 0;
        foreach (var partial in (await ListAsync(folder, namePrefix, cancellationToken).ConfigureAwait(false))
            .Where(f => f.Name.EndsWith(BackupFileNames.PartialSuffix, StringComparison.Ordinal) && belongs(f.Name[..^BackupFileNames.PartialSuffix.Length])))
        {
            await DeleteAsync(folder, partial.Name, cancellationToken).ConfigureAwait(false);
            removed++;
        }

        return removed;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
            {
                client.Disconnect();
            }
        }
        catch (Exception ex) when (ex is SshException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The session is over either way; a server that vanished cannot be told goodbye.
        }
        finally
        {
            client.Dispose();
            key.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The server holds as many bytes as were sent and, read back, the same SHA-256; else the partial goes and nothing takes the name.</summary>
    /// <returns>The SHA-256 read back, or null without <see cref="SftpTargetOptions.VerifyReadBack"/>.</returns>
    private async Task<string?> VerifyAsync(string partial, SentStream sent, CancellationToken cancellationToken)
    {
        var attributes = await client.GetAttributesAsync(partial, cancellationToken).ConfigureAwait(false);
        if (attributes.Size != sent.Count)
        {
            throw new CopyFailedException(CopyReasons.ChecksumMismatch, $"{partial} on {_where} holds {attributes.Size} bytes after {sent.Count} were sent; removed");
        }

        var expected = sent.Sha256();
        if (expected is null)
        {
            return null;
        }

        using var back = new HashSink();
        await client.DownloadFileAsync(partial, back, cancellationToken).ConfigureAwait(false);
        var actual = back.Sha256();
        if (back.Count != sent.Count || actual != expected)
        {
            throw new CopyFailedException(CopyReasons.ChecksumMismatch, $"{partial} on {_where} reads back as {back.Count} bytes with SHA-256 {actual}, not the {sent.Count} bytes with {expected} sent; removed");
        }

        return actual;
    }

    /// <summary>posix-rename@openssh.com replaces an existing file atomically; plain SFTP v3 rename refuses one, so it is removed first.</summary>
    private async Task RenameAsync(string partial, string final, CancellationToken cancellationToken)
    {
        try
        {
            // SSH.NET has no asynchronous form of the POSIX rename; the request itself is bounded by OperationTimeout.
            await Task.Run(() => client.RenameFile(partial, final, isPosix: true), cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (NotSupportedException)
        {
            // The server does not announce the extension (SSH.NET checks before sending anything).
        }

        try
        {
            await client.DeleteFileAsync(final, cancellationToken).ConfigureAwait(false);
        }
        catch (SftpPathNotFoundException)
        {
            // Nothing to replace.
        }

        await client.RenameFileAsync(partial, final, cancellationToken).ConfigureAwait(false);
    }

    private async Task CreateFoldersAsync(string folder, CancellationToken cancellationToken)
    {
        var path = _root;
        foreach (var segment in folder.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path = Join(path, segment);
            try
            {
                if ((await client.GetAttributesAsync(path, cancellationToken).ConfigureAwait(false)).IsDirectory)
                {
                    continue;
                }

                throw new CopyFailedException(CopyReasons.TransferFailed, $"{path} on {_where} is a file, not a folder");
            }
            catch (SftpPathNotFoundException)
            {
                // Created below.
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or CopyFailedException))
            {
                throw SftpErrors.From(ex, $"cannot read {path} on {_where}");
            }

            try
            {
                await client.CreateDirectoryAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw SftpErrors.From(ex, $"cannot create {path} on {_where}");
            }
        }
    }

    /// <summary>Removes a partial after a failure, even when the pass was cancelled; a failure here leaves it for the next RemoveIncompleteAsync.</summary>
    private async Task RemoveAsync(string path)
    {
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        try
        {
            if (client.IsConnected)
            {
                await client.DeleteFileAsync(path, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SshException or IOException or OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The failure being reported matters more; the next pass removes what is left.
        }
    }

    private async Task<bool> IsFullAsync(string directory)
    {
        try
        {
            // statvfs@openssh.com: OpenSSH maps ENOSPC and EDQUOT to a bare SSH_FX_FAILURE, so ask the file system itself.
            var status = await Task.Run(() => client.GetStatus(directory)).WaitAsync(CleanupTimeout).ConfigureAwait(false);
            return status.AvailableBlocks * status.BlockSize < FullBelow;
        }
        catch (Exception ex) when (ex is SshException or IOException or NotSupportedException or TimeoutException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }

    private string Folder(string folder) => string.IsNullOrEmpty(folder) ? _root : Join(_root, folder);

    private static string Join(string directory, string name) => directory.EndsWith('/') ? directory + name : $"{directory}/{name}";
}
