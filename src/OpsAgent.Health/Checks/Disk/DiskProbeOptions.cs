using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Text;

namespace OpsAgent.Health.Checks.Disk;

/// <summary>The settings of a <c>disk</c> probe: the file system holding <see cref="Path"/>, as <c>df</c> shows it.</summary>
public sealed class DiskProbeOptions : IProbeSettings
{
    /// <summary>disk: a path on the file system to watch (its mount point or anything under it).</summary>
    public string? Path { get; set; }

    /// <summary>disk: used space (as <c>df</c>'s Use%) at or above which the probe warns.</summary>
    public double? WarningPercent { get; set; }

    /// <summary>disk: used space at or above which the probe is critical (a failed attempt).</summary>
    public double? CriticalPercent { get; set; }

    /// <summary>disk: used inodes (as <c>df -i</c>'s IUse%) at or above which the probe warns.</summary>
    public double? InodesWarningPercent { get; set; }

    /// <summary>disk: used inodes at or above which the probe is critical.</summary>
    public double? InodesCriticalPercent { get; set; }

    /// <summary>disk: available space below which the probe is critical, whatever the percentage (a large disk at 91 % may hold days of growth).</summary>
    public ByteSize? MinFreeBytes { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Path) || !System.IO.Path.IsPathFullyQualified(Path) || Path.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{path}:{nameof(Path)}", "required for a disk probe: an absolute path without NUL bytes");
        }

        Percentages.Validate(path, nameof(WarningPercent), WarningPercent, nameof(CriticalPercent), CriticalPercent, errors);
        Percentages.Validate(path, nameof(InodesWarningPercent), InodesWarningPercent, nameof(InodesCriticalPercent), InodesCriticalPercent, errors);
        if (WarningPercent is null && CriticalPercent is null && InodesWarningPercent is null && InodesCriticalPercent is null && MinFreeBytes is null)
        {
            errors.Add(path, "a disk probe needs a threshold: WarningPercent, CriticalPercent, InodesWarningPercent, InodesCriticalPercent or MinFreeBytes");
        }
    }

    /// <inheritdoc />
    public void ValidateEntry(string path, ProbeOptions probe, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(errors);
        if (probe.Restart is not null)
        {
            errors.Add($"{path}:{nameof(ProbeOptions.Restart)}", "a disk probe has nothing to restart: a full disk is not fixed by restarting a service (remove Restart; a cleanup command goes in OnCritical)");
        }
    }

    /// <inheritdoc />
    public string Describe() => $"file system of {Path}";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Path is not null && !Directory.Exists(Path) && !File.Exists(Path))
        {
            context.Warning($"{path}:{nameof(Path)}", $"{Path} does not exist on this host: the probe fails not_found");
        }

        return Task.CompletedTask;
    }
}
