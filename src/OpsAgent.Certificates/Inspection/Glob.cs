using System.Text;
using System.Text.RegularExpressions;

namespace OpsAgent.Certificates.Inspection;

/// <summary>Expands an absolute path pattern with <c>*</c>, <c>?</c> (within one name) and <c>**</c> (any depth), following symlinks.</summary>
/// <remarks>
/// Microsoft.Extensions.FileSystemGlobbing has no <c>?</c> and reports nothing about directories it could not read; here an
/// unreadable directory is a result (<c>permission_denied</c>) rather than a silently smaller match. Directory symlinks are
/// followed (certbot's <c>live/</c> layout) with a guard against loops. As in a shell, a wildcard does not match a leading dot.
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

    /// <summary>The matching paths in ordinal order, and the directories that could not be read.</summary>
    public static (IReadOnlyList<string> Matches, IReadOnlyList<string> Unreadable) Expand(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var (root, segments) = Split(pattern);
        var matches = new SortedSet<string>(StringComparer.Ordinal);
        var unreadable = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        Walk(root, segments, 0, matches, unreadable, visited);
        return ([.. matches], unreadable);
    }

    private static (string Root, List<string> Segments) Split(string pattern)
    {
        var root = Path.GetPathRoot(pattern) ?? "/";
        var segments = pattern[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries).ToList();
        return (root, segments);
    }

    private static void Walk(string directory, List<string> segments, int index, SortedSet<string> matches, List<string> unreadable, HashSet<string> visited)
    {
        if (index == segments.Count)
        {
            return;
        }

        var segment = segments[index];
        var last = index == segments.Count - 1;
        if (segment == "**")
        {
            // Zero directories, then one more level with the same "**" still to match.
            Walk(directory, segments, index + 1, matches, unreadable, visited);
            if (!Enter(directory, visited))
            {
                return;
            }

            foreach (var child in List(directory, unreadable).Where(c => !Path.GetFileName(c).StartsWith('.') && Directory.Exists(c)))
            {
                Walk(child, segments, index, matches, unreadable, visited);
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
                Walk(path, segments, index + 1, matches, unreadable, visited);
            }
            else if (Directory.Exists(directory) && !CanList(directory))
            {
                unreadable.Add(directory);
            }

            return;
        }

        var regex = ToRegex(segment);
        foreach (var child in List(directory, unreadable))
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
                Walk(child, segments, index + 1, matches, unreadable, visited);
            }
        }
    }

    private static bool Enter(string directory, HashSet<string> visited)
    {
        try
        {
            var target = new DirectoryInfo(directory).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(directory);
            return visited.Add(target);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string[] List(string directory, List<string> unreadable)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        try
        {
            return Directory.GetFileSystemEntries(directory);
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
