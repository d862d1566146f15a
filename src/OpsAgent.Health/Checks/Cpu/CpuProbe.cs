using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using OpsAgent.Core.Docker;
using OpsAgent.Core.HostInfo;
using OpsAgent.Health.Restarts;

namespace OpsAgent.Health.Checks.Cpu;

/// <summary>CPU use over a window from cumulative counters sampled at each run: the share of the quota (or of the host's CPUs) in use.</summary>
internal sealed class CpuProbe(Systemctl systemctl, DockerClientProvider docker, TimeProvider time) : ProbeType<CpuProbeOptions>
{
    /// <summary>Per probe: (when, CPU seconds used, CPU seconds available) samples, oldest first.</summary>
    private readonly ConcurrentDictionary<string, Queue<(DateTimeOffset At, double Used, double Capacity)>> _samples = new(StringComparer.OrdinalIgnoreCase);

    protected override async Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, CpuProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var now = time.GetUtcNow();
        var host = CpuInfo.ReadHost();
        (double Used, double? Cpus, DateTimeOffset At)? sample;
        string what;
        if (options.Unit is { } unit)
        {
            what = unit;
            var (group, stopped) = await MeasuredService.ControlGroupAsync(systemctl, unit, "CPU", clock.Elapsed, cancellationToken).ConfigureAwait(false);
            if (group is null)
            {
                return stopped!;
            }

            var read = CpuInfo.ReadCgroup(group);
            if (read is null)
            {
                return ProbeResult.Fail(ProbeReasons.CannotMeasure, $"{unit}'s control group {group} has no CPU accounting", clock.Elapsed);
            }

            sample = (read.Value.UsageMicroseconds / 1e6, read.Value.QuotaCpus, now);
        }
        else if (options.Container is { } container)
        {
            what = container;
            try
            {
                sample = await ContainerAsync(container, now, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (MeasuredService.ContainerFailure(ex, container, clock.Elapsed) is { } failure)
            {
                return failure;
            }

            if (sample is null)
            {
                return ProbeResult.Fail("container_not_running", $"{container} is not running: no CPU to measure", clock.Elapsed);
            }
        }
        else
        {
            what = "host";
            if (host is null)
            {
                return ProbeResult.Fail(ProbeReasons.CannotMeasure, "/proc/stat has no cpu line", clock.Elapsed);
            }

            // Clock ticks of busy and all time: their ratio needs no wall clock.
            sample = (host.Value.Busy, null, now);
        }

        var cpus = sample.Value.Cpus ?? host?.Cpus ?? Environment.ProcessorCount;
        var samples = _samples.GetOrAdd(probe, _ => new Queue<(DateTimeOffset, double, double)>());
        double? ratio;
        lock (samples)
        {
            var capacity = options.Unit is null && options.Container is null ? host!.Value.Total : sample.Value.At.ToUnixTimeMilliseconds() / 1000.0 * cpus;
            samples.Enqueue((now, sample.Value.Used, capacity));
            // Keep the newest sample at or before the window's start as the baseline.
            while (samples.Count > 2 && samples.ElementAt(1).At <= now - options.Window)
            {
                samples.Dequeue();
            }

            var (_, firstUsed, firstCapacity) = samples.Peek();
            var span = capacity - firstCapacity;
            ratio = samples.Count < 2 || span <= 0 ? null : Math.Max(0, sample.Value.Used - firstUsed) / span;
        }

        if (ratio is null)
        {
            return ProbeResult.Ok(clock.Elapsed, $"{what}: first sample, the average needs a second run");
        }

        var of = sample.Value.Cpus is { } quota ? string.Create(CultureInfo.InvariantCulture, $" of its quota ({quota:0.##} CPUs)") : string.Create(CultureInfo.InvariantCulture, $" of {cpus} CPUs");
        return ProbeResult.Measured(clock.Elapsed, what + of, new ProbeMeasure("cpu_ratio", ratio.Value, Percentages.Ratio(options.WarningPercent), Percentages.Ratio(options.CriticalPercent)));
    }

    /// <summary>The container's CPU seconds used (the engine's total_usage) and its quota in CPUs when it has one.</summary>
    private async Task<(double, double?, DateTimeOffset)?> ContainerAsync(string container, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await MeasuredService.StatsAsync(docker, container, cancellationToken).ConfigureAwait(false) is not { } sample)
        {
            return null;
        }

        var (inspect, stats) = sample;
        if (stats.CPUStats?.CPUUsage is not { } usage)
        {
            return null;
        }

        var hostConfig = inspect.HostConfig;
        double? quota = hostConfig?.NanoCPUs > 0 ? hostConfig.NanoCPUs / 1e9
            : hostConfig?.CPUQuota > 0 && hostConfig.CPUPeriod > 0 ? hostConfig.CPUQuota / (double)hostConfig.CPUPeriod
            : null;
        // The engine samples the cgroup itself: its own timestamp goes with the counter, not the time the answer arrived.
        var read = stats.Read == default ? now : new DateTimeOffset(DateTime.SpecifyKind(stats.Read, DateTimeKind.Utc));
        return (usage.TotalUsage / 1e9, quota, read);
    }
}
