using System.Diagnostics;
using OpsAgent.Core.HostInfo;

namespace OpsAgent.Health.Checks.Disk;

/// <summary>Used space, available space and inodes of the file system holding a path, each against its thresholds.</summary>
internal sealed class DiskProbe : ProbeType<DiskProbeOptions>
{
    protected override Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, DiskProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var usage = FileSystemUsage.TryRead(options.Path!, out var error, out var notFound);
        if (usage is null)
        {
            return Task.FromResult(ProbeResult.Fail(notFound ? ProbeReasons.NotFound : ProbeReasons.ProbeError, $"{options.Path}: {error}", clock.Elapsed));
        }

        var measures = new List<ProbeMeasure>(3)
        {
            new("used_ratio", usage.UsedRatio, Percentages.Ratio(options.WarningPercent), Percentages.Ratio(options.CriticalPercent)),
            new("free_bytes", usage.AvailableBytes, null, options.MinFreeBytes?.Bytes, LowerIsWorse: true),
        };
        if (usage.Inodes > 0)
        {
            measures.Add(new("inodes_used_ratio", usage.InodesUsedRatio, Percentages.Ratio(options.InodesWarningPercent), Percentages.Ratio(options.InodesCriticalPercent)));
        }

        return Task.FromResult(ProbeResult.Measured(clock.Elapsed, options.Path, measures));
    }
}
