using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Microsoft.Extensions.FileSystemGlobbing;

namespace OpsAgent.Backups.Engines.FileTrees;

/// <summary>One tree to archive: where it is on disk and the name its entries get in the archive.</summary>
/// <param name="Path">The absolute path on this host.</param>
/// <param name="EntryName">The archive name of <see cref="Path"/> itself (<c>opt/ujmp/media</c>; <c>.</c> for a volume's root).</param>
internal sealed record ArchiveRoot(string Path, string EntryName);

/// <summary>
/// Writes directory trees as a POSIX (pax) tar stream: permissions, owners, times, symbolic links (as links, never followed),
/// hard links and empty directories as they are; sockets, devices and FIFOs skipped and counted.
/// </summary>
/// <remarks>
/// A file that changes or vanishes while read is archived as it was when its header was written (cut or zero-padded to that
/// length) and listed, so the run succeeds with a warning, as GNU tar's "file changed as we read it" does. A file or directory
/// that cannot be read fails the run naming it, unless <c>IgnoreUnreadable</c>.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class TreeArchiver(IReadOnlyList<ArchiveRoot> roots, IReadOnlyList<string> exclude, bool ignoreUnreadable, string display) : IDumpProducer
{
    /// <summary>How many paths a fact's list names; the count says how many there were.</summary>
    public const int ListedPaths = 100;

    private readonly Matcher? _exclude = exclude.Count == 0 ? null : CreateMatcher(exclude);
    private readonly Dictionary<(ulong Device, ulong Inode), string> _linked = [];
    private readonly List<string> _changed = [];
    private readonly List<string> _unreadable = [];
    private readonly List<string> _skipped = [];
    private int _changedCount;
    private int _unreadableCount;
    private int _skippedCount;
    private long _entries;
    private long _bytes;

    public string Display => display;

    /// <summary>Files that changed or vanished while read (the first <see cref="ListedPaths"/>).</summary>
    public IReadOnlyList<string> Changed => _changed;

    /// <summary>How many files changed or vanished while read.</summary>
    public int ChangedCount => _changedCount;

    /// <summary>Files skipped as unreadable under <c>IgnoreUnreadable</c>.</summary>
    public int UnreadableCount => _unreadableCount;

    /// <summary>Sockets, devices and FIFOs left out.</summary>
    public int SkippedCount => _skippedCount;

    /// <summary>The first unreadable files skipped.</summary>
    public IReadOnlyList<string> Unreadable => _unreadable;

    /// <summary>The first sockets, devices and FIFOs left out, with their kind.</summary>
    public IReadOnlyList<string> Skipped => _skipped;

    public async Task<JsonObject?> WriteAsync(Stream destination, CancellationToken cancellationToken)
    {
        await using (var tar = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var root in roots)
            {
                await WriteTreeAsync(tar, root, cancellationToken).ConfigureAwait(false);
            }
        }

        var facts = new JsonObject
        {
            [FilesFacts.Entries] = _entries,
            [FilesFacts.Bytes] = _bytes,
            [FilesFacts.Skipped] = _skippedCount,
            [FilesFacts.FilesChangedCount] = _changedCount,
        };
        if (_changed.Count > 0)
        {
            facts[FilesFacts.FilesChanged] = new JsonArray([.. _changed.Select(p => (JsonNode)p)]);
        }

        if (_skipped.Count > 0)
        {
            facts[FilesFacts.SkippedPaths] = new JsonArray([.. _skipped.Select(p => (JsonNode)p)]);
        }

        if (_unreadableCount > 0)
        {
            facts[FilesFacts.UnreadableCount] = _unreadableCount;
            facts[FilesFacts.Unreadable] = new JsonArray([.. _unreadable.Select(p => (JsonNode)p)]);
        }

        return facts;
    }

    private static Matcher CreateMatcher(IReadOnlyList<string> patterns)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude("**/*");
        matcher.AddExcludePatterns(patterns);
        return matcher;
    }

    /// <summary>True when <paramref name="relative"/> (to its root) is excluded; a directory is excluded when every name in it would be.</summary>
    private bool Excluded(string relative, bool directory)
    {
        if (_exclude is null || relative.Length == 0)
        {
            return false;
        }

        if (!_exclude.Match(relative).HasMatches)
        {
            return true;
        }

        // "cache/**" leaves out the directory itself, not only what is in it; a name no file has stands for "anything".
        return directory && !_exclude.Match(relative + "/\u0001").HasMatches;
    }

    /// <remarks>
    /// Depth first, each directory's contents right after its entry, as tar writes them: GNU tar sets a directory's times
    /// once extraction leaves it, so a directory's children written after its siblings would leave it with the time of the restore.
    /// </remarks>
    private async Task WriteTreeAsync(TarWriter tar, ArchiveRoot root, CancellationToken cancellationToken)
    {
        if (!await WriteEntryAsync(tar, root, root.Path, string.Empty, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var open = new Stack<(string Path, string Relative, string[] Names, int Next)>();
        if (List(root.Path) is { } top)
        {
            open.Push((root.Path, string.Empty, top, 0));
        }

        while (open.TryPop(out var directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (directory.Next >= directory.Names.Length)
            {
                continue;
            }

            var name = directory.Names[directory.Next];
            open.Push(directory with { Next = directory.Next + 1 });
            var path = Path.Combine(directory.Path, name);
            var relative = directory.Relative.Length == 0 ? name : directory.Relative + "/" + name;
            if (await WriteEntryAsync(tar, root, path, relative, cancellationToken).ConfigureAwait(false) && List(path) is { } names)
            {
                open.Push((path, relative, names, 0));
            }
        }
    }

    /// <summary>The names in <paramref name="directory"/> in ordinal order, or null when it cannot be listed (noted) or vanished.</summary>
    private string[]? List(string directory)
    {
        try
        {
            var names = Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>().ToArray();
            Array.Sort(names, StringComparer.Ordinal);
            return names;
        }
        catch (UnauthorizedAccessException)
        {
            NoteUnreadable(directory, "cannot list the directory");
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            NoteChanged(directory);
            return null;
        }
    }

    /// <returns>True when <paramref name="path"/> is a directory that was written and should be descended into.</returns>
    private async Task<bool> WriteEntryAsync(TarWriter tar, ArchiveRoot root, string path, string relative, CancellationToken cancellationToken)
    {
        PosixStatus status;
        try
        {
            status = PosixFiles.LStat(path);
        }
        catch (FileNotFoundException)
        {
            NoteChanged(path);
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            NoteUnreadable(path, "cannot read its status");
            return false;
        }

        if (Excluded(relative, status.IsDirectory))
        {
            return false;
        }

        var name = relative.Length == 0 ? root.EntryName : root.EntryName == "." ? relative : root.EntryName + "/" + relative;
        if (status.SpecialKind is { } kind)
        {
            _skippedCount++;
            if (_skipped.Count < ListedPaths)
            {
                _skipped.Add($"{path} ({kind})");
            }

            return false;
        }

        if (status.IsDirectory)
        {
            await tar.WriteEntryAsync(Entry(TarEntryType.Directory, name + "/", status), cancellationToken).ConfigureAwait(false);
            _entries++;
            return true;
        }

        if (status.IsSymbolicLink)
        {
            var target = new FileInfo(path).LinkTarget;
            if (target is null)
            {
                NoteChanged(path);
                return false;
            }

            var link = Entry(TarEntryType.SymbolicLink, name, status);
            link.LinkName = target;
            await tar.WriteEntryAsync(link, cancellationToken).ConfigureAwait(false);
            _entries++;
            return false;
        }

        if (status.Links > 1 && _linked.TryGetValue((status.Device, status.Inode), out var first))
        {
            var hard = Entry(TarEntryType.HardLink, name, status);
            hard.LinkName = first;
            await tar.WriteEntryAsync(hard, cancellationToken).ConfigureAwait(false);
            _entries++;
            return false;
        }

        await WriteFileAsync(tar, path, name, status, cancellationToken).ConfigureAwait(false);
        return false;
    }

    private async Task WriteFileAsync(TarWriter tar, string path, string name, PosixStatus status, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, BufferSize = 0, Options = FileOptions.SequentialScan });
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            NoteChanged(path);
            return;
        }
        catch (UnauthorizedAccessException)
        {
            NoteUnreadable(path, "permission denied");
            return;
        }

        await using (file.ConfigureAwait(false))
        {
            var data = new FixedLengthFileStream(file, status.Size);
            var entry = Entry(TarEntryType.RegularFile, name, status);
            entry.DataStream = data;
            await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
            _entries++;
            _bytes += status.Size;
            if (status.Links > 1)
            {
                _linked[(status.Device, status.Inode)] = name;
            }

            if (data.Shrank || HasChangedSince(path, status))
            {
                NoteChanged(path);
            }
        }
    }

    private static bool HasChangedSince(string path, PosixStatus before)
    {
        try
        {
            var after = PosixFiles.LStat(path);
            return after.Size != before.Size || after.Modified != before.Modified || after.Inode != before.Inode;
        }
        catch (Exception ex) when (ex is FileNotFoundException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, PosixStatus status) => new(type, name)
    {
        Mode = status.Permissions,
        Uid = (int)status.Uid,
        Gid = (int)status.Gid,
        ModificationTime = status.Modified,
    };

    private void NoteChanged(string path)
    {
        _changedCount++;
        if (_changed.Count < ListedPaths)
        {
            _changed.Add(path);
        }
    }

    private void NoteUnreadable(string path, string why)
    {
        if (!ignoreUnreadable)
        {
            throw new BackupFailedException(BackupReasons.PermissionDenied, $"cannot read {path}: {why} (set IgnoreUnreadable to skip such files and list them)");
        }

        _unreadableCount++;
        if (_unreadable.Count < ListedPaths)
        {
            _unreadable.Add(path);
        }
    }
}
