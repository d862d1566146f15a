using System.Security.Cryptography;
using OpsAgent.Backups.Files;

namespace OpsAgent.Backups.Copies.FileSystem;

/// <summary>Copies into a directory of this host's file system, typically a mounted share: <c>.partial</c>, fsync, rename, read back.</summary>
internal sealed class FileSystemTarget : CopyTargetType<FileSystemTargetOptions>
{
    protected override Task<ICopySession> ConnectAsync(CopyTargetContext context, FileSystemTargetOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = options.Path!;
        // An unmounted share leaves its empty mount point behind: writing there would fill the local disk and copy nothing off the host.
        return Directory.Exists(root)
            ? Task.FromResult<ICopySession>(new Session(root))
            : throw new CopyFailedException(CopyReasons.NotFound, $"{root} does not exist (is the share mounted?)");
    }

    private sealed class Session(string root) : ICopySession
    {
        public string Describe(string folder, string name) => Path.Combine(Folder(folder), name);

        private string Folder(string folder) => folder.Length == 0 ? root : Path.Combine(root, folder.Replace('/', Path.DirectorySeparatorChar));

        public Task<IReadOnlyList<RemoteFile>> ListAsync(string folder, string namePrefix, CancellationToken cancellationToken)
        {
            var directory = Folder(folder);
            if (!Directory.Exists(directory))
            {
                return Task.FromResult<IReadOnlyList<RemoteFile>>([]);
            }

            try
            {
                IReadOnlyList<RemoteFile> files = [.. new DirectoryInfo(directory).EnumerateFiles(namePrefix + "*")
                    .Where(f => f.LinkTarget is null)
                    .Select(f => new RemoteFile(f.Name, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))];
                return Task.FromResult(files);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw CopyErrors.FromIo(ex, $"cannot list {directory}");
            }
        }

        public async Task<RemoteFile> UploadAsync(UploadRequest request, Stream content, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            ArgumentNullException.ThrowIfNull(content);
            var directory = Folder(request.Folder);
            var final = Path.Combine(directory, request.Name);
            var partial = final + BackupFileNames.PartialSuffix;
            try
            {
                Directory.CreateDirectory(directory);
                // A partial here is an interrupted copy's (the job's copy lock is held): it is ours to replace.
                File.Delete(partial);
                await using (var output = DurableFiles.CreatePrivate(partial))
                {
                    await content.CopyToAsync(output, 1 << 20, cancellationToken).ConfigureAwait(false);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    output.Flush(flushToDisk: true);
                }

                File.Move(partial, final, overwrite: true);
                DurableFiles.SyncDirectory(directory);
                // Read back from the share, not from what was written: a share that corrupts is caught here.
                string sha256;
                await using (var check = new FileStream(final, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan))
                {
                    sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(check, cancellationToken).ConfigureAwait(false));
                }

                return new RemoteFile(request.Name, new FileInfo(final).Length, DateTimeOffset.UtcNow, sha256);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TryDelete(partial);
                throw CopyErrors.FromIo(ex, $"cannot write {final}");
            }
            catch
            {
                TryDelete(partial);
                throw;
            }
        }

        public Task DeleteAsync(string folder, string name, CancellationToken cancellationToken)
        {
            var path = Path.Combine(Folder(folder), name);
            try
            {
                var info = new FileInfo(path);
                if (info.Exists && info.LinkTarget is null)
                {
                    info.Delete();
                }

                return Task.CompletedTask;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw CopyErrors.FromIo(ex, $"cannot delete {path}");
            }
        }

        public Task<Stream> OpenReadAsync(string folder, string name, CancellationToken cancellationToken)
        {
            var path = Path.Combine(Folder(folder), name);
            try
            {
                return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new CopyFailedException(CopyReasons.NotFound, $"{path} does not exist", ex);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw CopyErrors.FromIo(ex, $"cannot read {path}");
            }
        }

        public Task<int> RemoveIncompleteAsync(string folder, string namePrefix, Func<string, bool> belongs, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(belongs);
            var directory = Folder(folder);
            if (!Directory.Exists(directory))
            {
                return Task.FromResult(0);
            }

            var removed = 0;
            foreach (var partial in new DirectoryInfo(directory).EnumerateFiles(namePrefix + "*" + BackupFileNames.PartialSuffix)
                .Where(f => f.LinkTarget is null && belongs(f.Name[..^BackupFileNames.PartialSuffix.Length])))
            {
                TryDelete(partial.FullName);
                removed++;
            }

            return Task.FromResult(removed);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left for the next pass's RemoveIncompleteAsync; the failure being reported matters more.
            }
        }
    }
}
