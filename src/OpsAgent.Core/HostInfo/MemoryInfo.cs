using System.Globalization;

namespace OpsAgent.Core.HostInfo;

/// <summary>Memory figures from <c>/proc/meminfo</c> and from a cgroup's memory controller (v2, or v1).</summary>
public static class MemoryInfo
{
    /// <summary>Where cgroups are mounted (a test points it at a copy).</summary>
    internal static string CgroupRoot { get; set; } = "/sys/fs/cgroup";

    /// <summary>Where <c>meminfo</c> is read (a test points it at a copy).</summary>
    internal static string MeminfoPath { get; set; } = "/proc/meminfo";

    /// <summary>MemTotal and MemAvailable in bytes (free(1)'s "total" and "available"), or null when the file lacks them.</summary>
    public static (long Total, long Available)? ReadHost()
    {
        long? total = null, available = null;
        try
        {
            foreach (var line in File.ReadLines(MeminfoPath))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    total = Kilobytes(line);
                }
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    available = Kilobytes(line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return total is > 0 && available is not null ? (total.Value, available.Value) : null;
    }

    /// <summary>
    /// The memory a cgroup (<c>/system.slice/x.service</c>) uses, and its limit when it has one: <c>memory.current</c> and
    /// <c>memory.max</c> on v2, <c>memory.usage_in_bytes</c> and <c>memory.limit_in_bytes</c> under <c>memory/</c> on v1.
    /// </summary>
    public static (long Used, long? Limit)? ReadCgroup(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var relative = group.TrimStart('/');
        if (relative.Split('/').Any(part => part == ".."))
        {
            return null;
        }

        var v2 = Path.Combine(CgroupRoot, relative);
        if (ReadNumber(Path.Combine(v2, "memory.current")) is { } current)
        {
            return (current, ReadNumber(Path.Combine(v2, "memory.max")));
        }

        var v1 = Path.Combine(CgroupRoot, "memory", relative);
        if (ReadNumber(Path.Combine(v1, "memory.usage_in_bytes")) is { } usage)
        {
            // v1 says "no limit" with a huge page-aligned number rather than "max".
            var limit = ReadNumber(Path.Combine(v1, "memory.limit_in_bytes"));
            return (usage, limit is >= long.MaxValue / 2 ? null : limit);
        }

        return null;
    }

    private static long? ReadNumber(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? Kilobytes(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null;
    }
}
