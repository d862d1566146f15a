using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Text;

namespace OpsAgent.Health.Checks.Memory;

/// <summary>The settings of a <c>memory</c> probe: the host's memory in use (as free(1)'s "available" leaves it), a unit's cgroup, or a container's.</summary>
public sealed class MemoryProbeOptions : IProbeSettings
{
    /// <summary>memory: a systemd unit whose cgroup is measured (<c>memory.current</c>); without it and <see cref="Container"/>, the host.</summary>
    public string? Unit { get; set; }

    /// <summary>memory: a container whose memory is measured (the Engine API's stats, as <c>docker stats</c>).</summary>
    public string? Container { get; set; }

    /// <summary>memory: percent in use at or above which the probe warns (of the unit's or container's limit when it has one, else of the host's memory).</summary>
    public double? WarningPercent { get; set; }

    /// <summary>memory: percent in use at or above which the probe is critical.</summary>
    public double? CriticalPercent { get; set; }

    /// <summary>memory: bytes in use at or above which the probe warns.</summary>
    public ByteSize? WarningBytes { get; set; }

    /// <summary>memory: bytes in use at or above which the probe is critical.</summary>
    public ByteSize? CriticalBytes { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        MeasuredService.Validate(path, Unit, Container, "the host's memory", errors);

        Percentages.Validate(path, nameof(WarningPercent), WarningPercent, nameof(CriticalPercent), CriticalPercent, errors);
        if (WarningBytes is { } w && CriticalBytes is { } c && w.Bytes >= c.Bytes)
        {
            errors.Add($"{path}:{nameof(WarningBytes)}", $"must be below {nameof(CriticalBytes)} ({c})");
        }

        if (WarningPercent is null && CriticalPercent is null && WarningBytes is null && CriticalBytes is null)
        {
            errors.Add(path, "a memory probe needs a threshold: WarningPercent, CriticalPercent, WarningBytes or CriticalBytes");
        }
    }

    /// <inheritdoc />
    public void ValidateEntry(string path, ProbeOptions probe, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(errors);
        MeasuredService.ValidateRestart(path, probe, Unit, Container, "memory", errors);
    }

    /// <inheritdoc />
    public string Describe() => Unit is not null ? $"memory of unit {Unit}" : Container is not null ? $"memory of container {Container}" : "the host's memory";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return MeasuredService.CheckHostAsync(path, Unit, Container, context, cancellationToken);
    }
}
