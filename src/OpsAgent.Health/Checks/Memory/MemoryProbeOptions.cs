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
        if (Unit is not null && Container is not null)
        {
            errors.Add(path, "set Unit or Container, not both (neither: the host's memory)");
        }

        if (Unit is { } unit && (string.IsNullOrWhiteSpace(unit) || unit.StartsWith('-') || unit.Any(char.IsControl)))
        {
            errors.Add($"{path}:{nameof(Unit)}", "must be a unit name");
        }

        if (Container is { } container && (string.IsNullOrWhiteSpace(container) || container.Any(char.IsControl)))
        {
            errors.Add($"{path}:{nameof(Container)}", "must be a container name or id");
        }

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
        if (probe.Restart is not null && Unit is null && Container is null)
        {
            errors.Add($"{path}:{nameof(ProbeOptions.Restart)}", "the host's memory is not freed by restarting one service: set Unit or Container to measure the service Restart restarts, or remove Restart");
        }
    }

    /// <inheritdoc />
    public string Describe() => Unit is not null ? $"memory of unit {Unit}" : Container is not null ? $"memory of container {Container}" : "the host's memory";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Unit is not null ? context.CheckUnitAsync($"{path}:{nameof(Unit)}", Unit, cancellationToken)
            : Container is not null ? context.CheckContainerAsync($"{path}:{nameof(Container)}", Container, cancellationToken)
            : Task.CompletedTask;
    }
}
