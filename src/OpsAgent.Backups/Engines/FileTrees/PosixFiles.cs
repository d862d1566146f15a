using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace OpsAgent.Backups.Engines.FileTrees;

/// <summary>What <c>lstat</c> says about one path: the fields a tar entry needs that .NET's file APIs do not expose (owners, inode, links).</summary>
/// <param name="Mode">The whole <c>st_mode</c>: type and permission bits (setuid, setgid, sticky included).</param>
/// <param name="Uid">The owner's numeric id.</param>
/// <param name="Gid">The group's numeric id.</param>
/// <param name="Inode">The inode number, which with <paramref name="Device"/> tells hard links apart.</param>
/// <param name="Device">The file system's device number.</param>
/// <param name="Links">How many names the inode has.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Modified">The modification time, to the tick.</param>
internal readonly record struct PosixStatus(uint Mode, uint Uid, uint Gid, ulong Inode, ulong Device, uint Links, long Size, DateTimeOffset Modified)
{
    private const uint TypeMask = 0xF000;

    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    public bool IsRegularFile => (Mode & TypeMask) == 0x8000;

    public bool IsSymbolicLink => (Mode & TypeMask) == 0xA000;

    /// <summary>The permission bits, as <see cref="UnixFileMode"/> spells them.</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);

    /// <summary>A socket, a device or a FIFO: nothing a backup can read as data.</summary>
    public string? SpecialKind => (Mode & TypeMask) switch
    {
        0xC000 => "socket",
        0x2000 => "character device",
        0x6000 => "block device",
        0x1000 => "fifo",
        _ => null,
    };
}

/// <summary>
/// <c>statx(2)</c>, whose structure is the same on every Linux architecture (unlike <c>struct stat</c>), so one
/// declaration serves x64 and arm64. Written by hand: .NET keeps its own <c>lstat</c> wrapper internal, and the libc
/// binding packages served here are unmaintained.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class PosixFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7FF;

    /// <summary>The status of <paramref name="path"/> itself (a symbolic link is not followed).</summary>
    /// <exception cref="UnauthorizedAccessException">EACCES or EPERM.</exception>
    /// <exception cref="FileNotFoundException">ENOENT or ENOTDIR: the path vanished.</exception>
    /// <exception cref="IOException">Any other error.</exception>
    public static PosixStatus LStat(string path)
    {
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, out var s) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var message = $"{path}: {Marshal.GetPInvokeErrorMessage(errno)}";
            throw errno switch
            {
                1 or 13 => new UnauthorizedAccessException(message),
                2 or 20 => new FileNotFoundException(message, path),
                _ => new IOException(message, errno),
            };
        }

        var modified = DateTimeOffset.FromUnixTimeSeconds(s.MtimeSeconds).AddTicks(s.MtimeNanoseconds / 100);
        return new PosixStatus(s.Mode, s.Uid, s.Gid, s.Inode, ((ulong)s.DevMajor << 32) | s.DevMinor, s.Links, (long)s.Size, modified);
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, out StatxBuffer buffer);

    /// <summary><c>struct statx</c> from linux/stat.h (256 bytes; the timestamps are 16 bytes each).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(16)] public uint Links;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }
}
