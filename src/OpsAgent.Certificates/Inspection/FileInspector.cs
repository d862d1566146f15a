using Mono.Unix;
using Mono.Unix.Native;

namespace OpsAgent.Certificates.Inspection;

/// <summary>Reads the certificates of one <c>Files</c> entry: every file its pattern matches, each as its own check.</summary>
public static class FileInspector
{
    /// <summary>One check per matched file; a single failed check (<c>no_match</c>, <c>permission_denied</c>) when nothing could be matched.</summary>
    public static IReadOnlyList<CertificateCheck> Inspect(string entry, CertificateFileOptions options, FileLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        limits ??= FileLimits.Default;
        var pattern = options.Path!;
        if (!Glob.HasWildcards(pattern))
        {
            return ReadWithin(entry, entry, pattern, limits);
        }

        var (matches, unreadable, tooLarge) = Glob.Expand(pattern, limits.MaxGlobEntries);
        if (tooLarge)
        {
            return [CertificateCheck.Failed(entry, entry, CertificateSource.File, pattern, CertificateReasons.GlobTooLarge, $"the pattern walks more than {limits.MaxGlobEntries} directory entries")];
        }

        var checks = new List<CertificateCheck>();
        var baseDirectory = Glob.BaseDirectory(pattern);
        foreach (var path in matches)
        {
            var relative = Path.GetRelativePath(baseDirectory, path).Replace(Path.DirectorySeparatorChar, '/');
            checks.AddRange(ReadWithin(entry, $"{entry}:{relative}", path, limits));
        }

        if (checks.Count == 0)
        {
            checks.Add(unreadable.Count > 0
                ? CertificateCheck.Failed(entry, entry, CertificateSource.File, pattern, CertificateReasons.PermissionDenied, $"cannot list {string.Join(", ", unreadable)}")
                : CertificateCheck.Failed(entry, entry, CertificateSource.File, pattern, CertificateReasons.NoMatch, "no file matches the pattern"));
        }

        return checks;
    }

    /// <summary>Reads one file under <see cref="FileLimits.Timeout"/>; a read still blocked then is abandoned to its thread.</summary>
    private static IReadOnlyList<CertificateCheck> ReadWithin(string entry, string label, string path, FileLimits limits)
    {
        var read = Task.Run(() => ReadFile(entry, label, path, limits));
        return read.Wait(limits.Timeout)
            ? read.Result
            : [CertificateCheck.Failed(entry, label, CertificateSource.File, path, CertificateReasons.Timeout, $"reading the file took longer than {limits.Timeout}")];
    }

    /// <summary>Reads one file (following symlinks); only a regular file within the limits is read.</summary>
    /// <returns>
    /// One check for the file; when some certificate blocks are good and others bad, also one failed check (<c>bad_pem</c>)
    /// per bad block, labelled <c>label#N</c> by its position, so that one bad block does not hide the certificates around it.
    /// </returns>
    public static IReadOnlyList<CertificateCheck> ReadFile(string entry, string label, string path, FileLimits? limits = null)
    {
        limits ??= FileLimits.Default;
        if (Directory.Exists(path))
        {
            return [CertificateCheck.Failed(entry, label, CertificateSource.File, path, CertificateReasons.NoCertificate, "a directory, not a certificate file")];
        }

        byte[] data;
        try
        {
            data = OperatingSystem.IsWindows() ? ReadCapped(File.OpenRead(path), limits.MaxBytes) : ReadRegularUnixFile(path, limits.MaxBytes);
        }
        catch (NotRegularFileException ex)
        {
            return [CertificateCheck.Failed(entry, label, CertificateSource.File, path, CertificateReasons.NotRegularFile, ex.Message)];
        }
        catch (FileTooLargeException ex)
        {
            return [CertificateCheck.Failed(entry, label, CertificateSource.File, path, CertificateReasons.TooLarge, ex.Message)];
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            var message = new FileInfo(path).LinkTarget is { } target ? $"the symlink points to {target}, which does not exist" : "the file does not exist";
            return [CertificateCheck.Failed(entry, label, CertificateSource.File, path, CertificateReasons.NotFound, message)];
        }
        catch (UnauthorizedAccessException)
        {
            return [CertificateCheck.Failed(entry, label, CertificateSource.File, path, CertificateReasons.PermissionDenied, "the agent may not read the file")];
        }
        catch (IOException ex)
        {
            return [CertificateCheck.Failed(entry, label, CertificateSource.File, path, CertificateReasons.ReadError, ex.Message)];
        }

        var (certificates, badBlocks, reason, problem) = CertificateFileReader.Read(data, limits.MaxCertificates);
        if (reason is not null)
        {
            return [CertificateCheck.Failed(entry, label, CertificateSource.File, path, reason, problem!)];
        }

        // A bad first block is "label#1", not "label": the file's own row (the good certificates) already has that name.
        return [new CertificateCheck(entry, label, CertificateSource.File, path, certificates),
            .. badBlocks.Select(b => CertificateCheck.Failed(entry, $"{label}#{b.Position}", CertificateSource.File, path, CertificateReasons.BadPem, b.Problem))];
    }

    /// <summary>Reads a regular file of at most <paramref name="maxBytes"/>; a FIFO, device or socket is never read.</summary>
    /// <remarks>
    /// The type is checked with stat before opening (opening a device can have effects of its own), and again with fstat on
    /// the descriptor, opened with O_NONBLOCK so that a FIFO swapped in between cannot block the open.
    /// </remarks>
    private static byte[] ReadRegularUnixFile(string path, long maxBytes)
    {
        CheckRegular(path, Syscall.stat(path, out var before), before);
        var fd = Syscall.open(path, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC);
        if (fd < 0)
        {
            ThrowErrno(path);
        }

        using var stream = new UnixStream(fd, ownsHandle: true);
        CheckRegular(path, Syscall.fstat(fd, out var opened), opened);
        if (opened.st_size > maxBytes)
        {
            throw new FileTooLargeException(opened.st_size, maxBytes);
        }

        return ReadCapped(stream, maxBytes);
    }

    private static void CheckRegular(string path, int result, Stat stat)
    {
        if (result != 0)
        {
            ThrowErrno(path);
        }

        var type = stat.st_mode & FilePermissions.S_IFMT;
        if (type != FilePermissions.S_IFREG)
        {
            throw new NotRegularFileException(type switch
            {
                FilePermissions.S_IFIFO => "a FIFO (named pipe), not a regular file",
                FilePermissions.S_IFCHR => "a character device, not a regular file",
                FilePermissions.S_IFBLK => "a block device, not a regular file",
                FilePermissions.S_IFSOCK => "a socket, not a regular file",
                FilePermissions.S_IFDIR => "a directory, not a certificate file",
                _ => "not a regular file",
            });
        }
    }

    private static void ThrowErrno(string path)
    {
        var errno = Stdlib.GetLastError();
        throw errno switch
        {
            Errno.ENOENT or Errno.ENOTDIR or Errno.ELOOP => new FileNotFoundException(null, path),
            Errno.EACCES or Errno.EPERM => new UnauthorizedAccessException(),
            _ => new IOException(UnixMarshal.GetErrorDescription(errno)),
        };
    }

    /// <summary>Reads to the end, failing as soon as more than <paramref name="maxBytes"/> arrive (the file may grow after stat).</summary>
    private static byte[] ReadCapped(Stream stream, long maxBytes)
    {
        using (stream)
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw new FileTooLargeException(buffer.Length + read, maxBytes);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private sealed class NotRegularFileException(string message) : IOException(message);

    private sealed class FileTooLargeException(long size, long maxBytes)
        : IOException($"{(size > maxBytes ? $"over {maxBytes}" : size.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes, more than the {maxBytes} bytes MaxFileBytes allows");
}
