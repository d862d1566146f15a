using System.Runtime.InteropServices;

namespace OpsAgent.Core.HostInfo;

/// <summary>What <c>statvfs(3)</c> says of the file system holding a path, and the figures <c>df</c> derives from it.</summary>
/// <param name="TotalBytes">The file system's size (<c>f_blocks</c>).</param>
/// <param name="FreeBytes">Free blocks, including those reserved for root (<c>f_bfree</c>).</param>
/// <param name="AvailableBytes">What an unprivileged writer may still use (<c>f_bavail</c>).</param>
/// <param name="Inodes">Inodes in total (0 on file systems without a fixed count: btrfs, ZFS).</param>
/// <param name="FreeInodes">Free inodes.</param>
public sealed partial record FileSystemUsage(ulong TotalBytes, ulong FreeBytes, ulong AvailableBytes, ulong Inodes, ulong FreeInodes)
{
    /// <summary>Used as <c>df</c>'s Use% computes it: used / (used + available), so the root-reserved blocks count as full.</summary>
    public double UsedRatio
    {
        get
        {
            var used = (double)(TotalBytes - FreeBytes);
            var basis = used + AvailableBytes;
            return basis <= 0 ? 0 : used / basis;
        }
    }

    /// <summary>Inodes used, as <c>df -i</c>'s IUse% (0 where the file system has no fixed count).</summary>
    public double InodesUsedRatio => Inodes == 0 ? 0 : (Inodes - FreeInodes) / (double)Inodes;

    /// <summary>Reads the file system holding <paramref name="path"/>; on failure <paramref name="error"/> says why (ENOENT: <c>not found</c>).</summary>
    public static FileSystemUsage? TryRead(string path, out string? error, out bool notFound)
    {
        ArgumentNullException.ThrowIfNull(path);
        error = null;
        notFound = false;
        if (!OperatingSystem.IsLinux())
        {
            // Elsewhere the runtime's own call (statfs/GetDiskFreeSpaceEx) gives sizes but no inodes.
            try
            {
                var drive = new DriveInfo(Path.GetPathRoot(Path.GetFullPath(path)) ?? path);
                if (!Directory.Exists(path) && !File.Exists(path))
                {
                    notFound = true;
                    error = "no such file or directory";
                    return null;
                }

                return new FileSystemUsage((ulong)drive.TotalSize, (ulong)drive.TotalFreeSpace, (ulong)drive.AvailableFreeSpace, 0, 0);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                error = ex.Message;
                return null;
            }
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            error = "the path contains a NUL byte";
            return null;
        }

        if (Statvfs(path, out var s) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            notFound = errno is 2 or 20; // ENOENT, ENOTDIR
            error = Marshal.GetPInvokeErrorMessage(errno);
            return null;
        }

        var unit = s.FragmentSize == 0 ? s.BlockSize : s.FragmentSize;
        return new FileSystemUsage(s.Blocks * unit, s.FreeBlocks * unit, s.AvailableBlocks * unit, s.Files, s.FreeFiles);
    }

    // No maintained package wraps statvfs for .NET (Mono.Posix is unmaintained; DriveInfo has no inode counts).
    [LibraryImport("libc", EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statvfs(string path, out StatvfsBuffer buffer);

    /// <summary><c>struct statvfs</c> of glibc and musl on 64-bit Linux: eleven 8-byte fields, then six spare ints.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct StatvfsBuffer
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong FreeBlocks;
        public ulong AvailableBlocks;
        public ulong Files;
        public ulong FreeFiles;
        public ulong AvailableFiles;
        public ulong FileSystemId;
        public ulong Flags;
        public ulong NameMax;
        public int Spare0, Spare1, Spare2, Spare3, Spare4, Spare5;
    }
}
