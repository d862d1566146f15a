using System.Text;
using System.Text.RegularExpressions;
using Mono.Unix.Native;

namespace OpsAgent.Certificates.Inspection;

/// <summary>Expands an absolute path pattern with <c>*</c>, <c>?</c> (within one name) and <c>**</c> (any depth), following symlinks.</summary>
/// <remarks>
/// Microsoft.Extensions.FileSystemGlobbing has no <c>?</c> and reports nothing about directories it could not read; here an
/// unreadable directory is a result (<c>permission_denied</c>) rather than a silently smaller match. Directory symlinks are
/// followed (certbot's <c>live/</c> layout); a directory is entered once per <c>**</c> by its (device, inode), so no chain of
/// relative links can loop, and a file reached through several links is one match (the shortest path). Kernel pseudo
/// file systems (<c>/proc</c>, <c>/sys</c>, <c>/dev</c>) are never entered: their link graphs are huge and their files are not
/// certificates. A pattern that lists more than its cap of entries stops and reports it. As in a shell, a wildcard does not
/// match a leading dot.
/// </remarks>
public static class Glob
{
    /// <summary>True when <paramref name="pattern"/> has a wildcard.</summary>
    public static bool HasWildcards(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>The directory part before the first wildcard; match labels are relative to it.</summary>
    public static string BaseDirectory(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var (root, segments) = Split(pattern);
        var literal = segments.TakeWhile(s => !HasWildcards(s)).ToList();
        if (literal.Count == segments.Count)
        {
            literal.RemoveAt(literal.Count - 1);
        }

        return Path.Combine([root, .. literal]);
    }

    /// <summary>The default cap on entries one pattern lists.</summary>
    public const int DefaultMaxEntries = 100_000;

    /// <summary>The matching paths in ordinal order, the directories that could not be read, and whether the walk hit <paramref name="maxEntries"/>.</summary>
    public static (IReadOnlyList<string> Matches, IReadOnlyList<string> Unreadable, bool TooLarge) Expand(string pattern, int maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var (root, segments) = Split(pattern);
        var walk = new WalkState(maxEntries);
        Walk(root, segments, 0, walk);
        return (Deduplicate(walk.Matches), walk.Unreadable, walk.TooLarge);
    }

    /// <summary>State of one expansion.</summary>
    private sealed class WalkState(int maxEntries)
    {
        public SortedSet<string> Matches { get; } = new(StringComparer.Ordinal);

        public List<string> Unreadable { get; } = [];

        /// <summary>Directories entered per <c>**</c> segment, by (device, inode) or, without stat, by full path.</summary>
        public HashSet<(int Segment, string Identity)> Visited { get; } = [];

        public int Entries { get; set; }

        public bool TooLarge => Entries > maxEntries;
    }

    /// <summary>Mount points whose trees are never walked.</summary>
    private static readonly string[] PseudoFileSystems = ["/proc", "/sys", "/dev"];

    private static readonly Lazy<HashSet<ulong>> PseudoDevices = new(() =>
    {
        var devices = new HashSet<ulong>();
        if (!OperatingSystem.IsWindows())
        {
            foreach (var root in PseudoFileSystems)
            {
                if (Syscall.stat(root, out var st) == 0)
                {
                    devices.Add(st.st_dev);
                }
            }
        }

        return devices;
    });

    private static bool IsPseudo(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        var full = Path.GetFullPath(directory);
        if (PseudoFileSystems.Any(p => full == p || full.StartsWith(p + "/", StringComparison.Ordinal)))
        {
            return true;
        }

        // Reached through a link from elsewhere: the device tells.
        return Syscall.stat(directory, out var st) == 0 && PseudoDevices.Value.Contains(st.st_dev);
    }

    /// <summary>(device, inode) of what <paramref name="path"/> finally points to, or its full path when stat fails or is unavailable.</summary>
    private static string Identity(string path)
        => !OperatingSystem.IsWindows() && Syscall.stat(path, out var st) == 0
            ? $"{st.st_dev}:{st.st_ino}"
            : Path.GetFullPath(path);

    /// <summary>One path per file: the shortest (then ordinal first) of those reaching the same (device, inode).</summary>
    private static string[] Deduplicate(SortedSet<string> matches)
        => [.. matches.GroupBy(Identity, StringComparer.Ordinal)
            .Select(g => g.OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal).First())
            .Order(StringComparer.Ordinal)];

    private static (string Root, List<string> Segments) Split(string pattern)
    {
        var root = Path.GetPathRoot(pattern) ?? "/";
        var segments = pattern[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries).ToList();
        return (root, segments);
    }

    private static void Walk(string directory, List<string> segments, int index, WalkState walk)
    {
        if (index == segments.Count || walk.TooLarge || IsPseudo(directory))
        {
            return;
        }

        var matches = walk.Matches;
        var unreadable = walk.Unreadable;

        var segment = segments[index];
        var last = index == segments.Count - 1;
        if (segment == "**")
        {
            // Zero directories, then one more level with the same "**" still to match.
            Walk(directory, segments, index + 1, walk);
            if (!walk.Visited.Add((index, Identity(directory))))
            {
                return;
            }

            foreach (var child in List(directory, walk).Where(c => !Path.GetFileName(c).StartsWith('.') && Directory.Exists(c)))
            {
                Walk(child, segments, index, walk);
            }

            return;
        }

        if (!HasWildcards(segment))
        {
            var path = Path.Combine(directory, segment);
            if (last)
            {
                if (File.Exists(path) || IsLink(path))
                {
                    matches.Add(path);
                }
            }
            else if (Directory.Exists(path))
            {
                Walk(path, segments, index + 1, walk);
            }
            else if (Directory.Exists(directory) && !CanList(directory))
            {
                unreadable.Add(directory);
            }

            return;
        }

        var regex = ToRegex(segment);
        foreach (var child in List(directory, walk))
        {
            var name = Path.GetFileName(child);
            if ((name.StartsWith('.') && !segment.StartsWith('.')) || !regex.IsMatch(name))
            {
                continue;
            }

            if (last)
            {
                // A dangling symlink is still a match: reading it then reports not_found instead of the file vanishing.
                if (!Directory.Exists(child))
                {
                    matches.Add(child);
                }
            }
            else if (Directory.Exists(child))
            {
                Walk(child, segments, index + 1, walk);
            }
        }
    }

    private static string[] List(string directory, WalkState walk)
    {
        var unreadable = walk.Unreadable;
        if (!Directory.Exists(directory) || walk.TooLarge)
        {
            return [];
        }

        try
        {
            var entries = Directory.GetFileSystemEntries(directory);
            walk.Entries += entries.Length;
            return walk.TooLarge ? [] : entries;
        }
        catch (UnauthorizedAccessException)
        {
            unreadable.Add(directory);
            return [];
        }
        catch (IOException)
        {
            unreadable.Add(directory);
            return [];
        }
    }

    private static bool CanList(string directory)
    {
        try
        {
            using var e = Directory.EnumerateFileSystemEntries(directory).GetEnumerator();
            e.MoveNext();
            return true;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    private static bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static Regex ToRegex(string segment)
    {
        var pattern = new StringBuilder("^");
        foreach (var c in segment)
        {
            pattern.Append(c switch
            {
                '*' => "[^/]*",
                '?' => "[^/]",
                _ => Regex.Escape(c.ToString()),
            });
        }

        return new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
