using System.Diagnostics;
using System.Globalization;
using OpsAgent.Core.Docker;
using OpsAgent.Core.HostInfo;
using OpsAgent.Health.Restarts;

namespace OpsAgent.Health.Checks.Memory;

/// <summary>Memory in use, in bytes and as a share of the limit (or of the host), against the thresholds.</summary>
internal sealed class MemoryProbe(Systemctl systemctl, DockerClientProvider docker) : ProbeType<MemoryProbeOptions>
{
    protected override async Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, MemoryProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var host = MemoryInfo.ReadHost();
        (long Used, long? Limit)? usage;
        string what;
        if (options.Unit is { } unit)
        {
            what = unit;
            var (group, stopped) = await MeasuredService.ControlGroupAsync(systemctl, unit, "memory", clock.Elapsed, cancellationToken).ConfigureAwait(false);
            if (group is null)
            {
                return stopped!;
            }

            usage = MemoryInfo.ReadCgroup(group);
            if (usage is null)
            {
                return ProbeResult.Fail(ProbeReasons.CannotMeasure, $"{unit}'s control group {group} has no memory accounting under /sys/fs/cgroup", clock.Elapsed);
            }
        }
        else if (options.Container is { } container)
        {
            what = container;
            try
            {
                usage = await ContainerAsync(container, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (MeasuredService.ContainerFailure(ex, container, clock.Elapsed) is { } failure)
            {
                return failure;
            }

            if (usage is null)
            {
                return ProbeResult.Fail("container_not_running", $"{container} is not running: no memory to measure", clock.Elapsed);
            }
        }
        else
        {
            what = "host";
            if (host is null)
            {
                return ProbeResult.Fail(ProbeReasons.CannotMeasure, "/proc/meminfo has no MemTotal and MemAvailable", clock.Elapsed);
            }

            usage = (host.Value.Total - host.Value.Available, host.Value.Total);
        }

        var (used, limit) = usage.Value;
        var basis = limit ?? host?.Total;
        var measures = new List<ProbeMeasure>(2)
        {
            new("memory_bytes", used, options.WarningBytes?.Bytes, options.CriticalBytes?.Bytes),
        };
        if (basis is > 0)
        {
            measures.Add(new("memory_ratio", used / (double)basis.Value, Percentages.Ratio(options.WarningPercent), Percentages.Ratio(options.CriticalPercent)));
        }

        var of = limit is null ? (what == "host" ? "" : " (no limit: ratio of the host's memory)") : string.Create(CultureInfo.InvariantCulture, $" of {Core.Text.ByteSize.Format(limit.Value)}");
        return ProbeResult.Measured(clock.Elapsed, what + of, measures);
    }

    /// <summary>As <c>docker stats</c>: usage less the inactive page cache, and the limit when one is set.</summary>
    private async Task<(long, long?)?> ContainerAsync(string container, CancellationToken cancellationToken)
    {
        if (await MeasuredService.StatsAsync(docker, container, cancellationToken).ConfigureAwait(false) is not { } sample)
        {
            return null;
        }

        var (inspect, stats) = sample;
        if (stats.MemoryStats is not { } memory)
        {
            return null;
        }

        var cache = memory.Stats is { } counters
            ? counters.TryGetValue("inactive_file", out var v2) ? v2 : counters.TryGetValue("total_inactive_file", out var v1) ? v1 : 0UL
            : 0UL;
        var used = (long)(memory.Usage > cache ? memory.Usage - cache : memory.Usage);
        // Without a limit the engine reports the host's memory as the limit.
        var limit = inspect.HostConfig?.Memory is > 0 ? (long?)memory.Limit : null;
        return (used, limit);
    }
}
