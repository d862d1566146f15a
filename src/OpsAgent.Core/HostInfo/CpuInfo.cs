using System.Globalization;

namespace OpsAgent.Core.HostInfo;

/// <summary>CPU time counters: the host's from <c>/proc/stat</c>, a cgroup's from its CPU controller (v2, or v1's cpuacct).</summary>
public static class CpuInfo
{
    /// <summary>Where <c>stat</c> is read (a test points it at a copy).</summary>
    internal static string StatPath { get; set; } = "/proc/stat";

    /// <summary>The host's busy and total CPU time in clock ticks, summed over every CPU (the first <c>cpu</c> line), and the CPU count.</summary>
    public static (ulong Busy, ulong Total, int Cpus)? ReadHost()
    {
        try
        {
            ulong busy = 0, total = 0;
            var cpus = 0;
            var found = false;
            foreach (var line in File.ReadLines(StatPath))
            {
                if (line.StartsWith("cpu ", StringComparison.Ordinal))
                {
                    // user nice system idle iowait irq softirq steal (guest time is already in user and nice).
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                        .Select(f => ulong.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0).ToArray();
                    if (fields.Length < 4)
                    {
                        return null;
                    }

                    total = fields.Aggregate(0UL, (a, b) => a + b);
                    var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
                    busy = total - idle;
                    found = true;
                }
                else if (line.StartsWith("cpu", StringComparison.Ordinal) && line.Length > 3 && char.IsAsciiDigit(line[3]))
                {
                    cpus++;
                }
            }

            return found ? (busy, total, Math.Max(1, cpus)) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// A cgroup's CPU time in microseconds (<c>cpu.stat</c> <c>usage_usec</c> on v2, <c>cpuacct.usage</c> in nanoseconds on v1)
    /// and its quota in CPUs when it has one (<c>cpu.max</c>, or <c>cpu.cfs_quota_us</c>/<c>cpu.cfs_period_us</c>).
    /// </summary>
    public static (ulong UsageMicroseconds, double? QuotaCpus)? ReadCgroup(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var relative = group.TrimStart('/');
        if (relative.Split('/').Any(part => part == ".."))
        {
            return null;
        }

        var v2 = Path.Combine(MemoryInfo.CgroupRoot, relative);
        var stat = Read(Path.Combine(v2, "cpu.stat"));
        if (stat is not null)
        {
            var usage = stat.Split('\n').Select(l => l.Split(' ')).FirstOrDefault(p => p.Length == 2 && p[0] == "usage_usec");
            if (usage is not null && ulong.TryParse(usage[1], NumberStyles.None, CultureInfo.InvariantCulture, out var micro))
            {
                double? quota = null;
                if (Read(Path.Combine(v2, "cpu.max"))?.Split(' ') is [var q, var p] && long.TryParse(q, CultureInfo.InvariantCulture, out var qv)
                    && long.TryParse(p, CultureInfo.InvariantCulture, out var pv) && pv > 0)
                {
                    quota = qv / (double)pv;
                }

                return (micro, quota);
            }
        }

        foreach (var controller in new[] { "cpu,cpuacct", "cpuacct" })
        {
            var v1 = Path.Combine(MemoryInfo.CgroupRoot, controller, relative);
            if (Read(Path.Combine(v1, "cpuacct.usage")) is { } nanos && ulong.TryParse(nanos, NumberStyles.None, CultureInfo.InvariantCulture, out var ns))
            {
                double? quota = null;
                if (long.TryParse(Read(Path.Combine(v1, "cpu.cfs_quota_us")), CultureInfo.InvariantCulture, out var q) && q > 0
                    && long.TryParse(Read(Path.Combine(v1, "cpu.cfs_period_us")), CultureInfo.InvariantCulture, out var p) && p > 0)
                {
                    quota = q / (double)p;
                }

                return (ns / 1000, quota);
            }
        }

        return null;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
