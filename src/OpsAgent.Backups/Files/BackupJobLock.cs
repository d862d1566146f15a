using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OpsAgent.Backups.Files;

/// <summary>
/// The exclusive lock of one backup job, shared by every process on the host (the daemon and each CLI): a BSD
/// <c>flock</c> on <c>&lt;StateDirectory&gt;/locks/backup-&lt;job&gt;.lock</c>, held for a whole run, retention included.
/// </summary>
/// <remarks>
/// Opened and locked by hand (<c>open</c>, <c>flock(LOCK_EX|LOCK_NB)</c>) rather than through <see cref="FileStream"/>
/// with <see cref="FileShare.None"/>: .NET takes the same flock there, but reports a held lock as a generic
/// <see cref="IOException"/> like any other failure, and skips it when <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> is set.
/// A flock belongs to the open file, so the kernel releases it when the process dies: a killed run never leaves the
/// job locked. The file itself stays; its existence means nothing.
/// </remarks>
internal sealed partial class BackupJobLock : IDisposable
{
    private const int OpenReadWrite = 0x2;
    private const int OpenCreate = 0x40;
    private const int OpenCloseOnExec = 0x80000;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int WouldBlock = 11;

    private readonly SafeFileHandle _handle;

    private BackupJobLock(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The lock file of <paramref name="job"/> (job names are case-insensitive, so the name is lower-cased).</summary>
    /// <param name="stateDirectory">The agent's state directory.</param>
    /// <param name="job">The job.</param>
    /// <param name="stage"><c>backup</c> (the dump, verification and local retention) or <c>copy</c> (the job's copy passes, which run beside its dumps).</param>
    public static string PathFor(string stateDirectory, string job, string stage = "backup")
    {
        ArgumentNullException.ThrowIfNull(job);
        return System.IO.Path.Combine(stateDirectory, "locks", $"{stage}-{job.ToLowerInvariant()}.lock");
    }

    /// <summary>Takes the job's lock, or returns null when another run (in this process or another) holds it.</summary>
    /// <exception cref="IOException">The lock file cannot be created, opened or locked (for example a read-only state directory).</exception>
    public static BackupJobLock? TryAcquire(string stateDirectory, string job, string stage = "backup")
    {
        var path = PathFor(stateDirectory, job, stage);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        if (OperatingSystem.IsWindows())
        {
            // No flock there; the service and a CLI on Windows are not run side by side.
            return new BackupJobLock(File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), path);
        }

        var fd = Open(path, OpenReadWrite | OpenCreate | OpenCloseOnExec, Convert.ToInt32("600", 8));
        if (fd < 0)
        {
            throw new IOException($"cannot open the lock file {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Flock(fd, LockExclusive | LockNonBlocking) == 0)
        {
            return new BackupJobLock(handle, path);
        }

        var errno = Marshal.GetLastPInvokeError();
        handle.Dispose();
        return errno == WouldBlock
            ? null
            : throw new IOException($"cannot lock {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    public void Dispose() => _handle.Dispose();

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
