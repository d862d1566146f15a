using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Checks.Cpu;

/// <summary>The settings of a <c>cpu</c> probe: CPU use of the host, a unit's cgroup or a container, averaged over <see cref="Window"/>.</summary>
public sealed class CpuProbeOptions : IProbeSettings
{
    /// <summary>cpu: a systemd unit whose cgroup is measured; without it and <see cref="Container"/>, the host.</summary>
    public string? Unit { get; set; }

    /// <summary>cpu: a container whose CPU use is measured (the Engine API's stats).</summary>
    public string? Container { get; set; }

    /// <summary>cpu: the window the use is averaged over (from the probe's own samples, one a run).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>cpu: percent of the quota (<c>CPUQuota=</c>, <c>--cpus</c>) or, without one, of all the host's CPUs, at or above which the probe warns.</summary>
    public double? WarningPercent { get; set; }

    /// <summary>cpu: percent at or above which the probe is critical.</summary>
    public double? CriticalPercent { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        MeasuredService.Validate(path, Unit, Container, "the host's CPUs", errors);

        if (Window < TimeSpan.FromSeconds(1) || Window > TimeSpan.FromDays(1))
        {
            errors.Add($"{path}:{nameof(Window)}", "must be between 1 second and 1 day");
        }

        Percentages.Validate(path, nameof(WarningPercent), WarningPercent, nameof(CriticalPercent), CriticalPercent, errors);
        if (WarningPercent is null && CriticalPercent is null)
        {
            errors.Add(path, "a cpu probe needs a threshold: WarningPercent or CriticalPercent");
        }
    }

    /// <inheritdoc />
    public void ValidateEntry(string path, ProbeOptions probe, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(errors);
        MeasuredService.ValidateRestart(path, probe, Unit, Container, "CPU", errors);

        if (Window < probe.Every)
        {
            errors.Add($"{path}:{nameof(Window)}", $"must be at least Every ({probe.Every}): the average needs two samples");
        }
    }

    /// <inheritdoc />
    public string Describe() => Unit is not null ? $"CPU of unit {Unit}" : Container is not null ? $"CPU of container {Container}" : "the host's CPUs";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return MeasuredService.CheckHostAsync(path, Unit, Container, context, cancellationToken);
    }
}
