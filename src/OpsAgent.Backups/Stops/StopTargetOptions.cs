namespace OpsAgent.Backups.Stops;

/// <summary>A service stopped around a restore (or a volume backup): a Docker container or a systemd unit, exactly one.</summary>
public sealed class StopTargetOptions
{
    /// <summary>A container's name, stopped and started through the Docker Engine API.</summary>
    public string? Container { get; set; }

    /// <summary>A systemd unit, stopped and started with <c>systemctl</c>.</summary>
    public string? Unit { get; set; }

    /// <summary>As probes' restart targets describe themselves (<c>container sims_backend</c>), which is how a probe finds it is held.</summary>
    public string Describe() => Container is not null ? $"container {Container}" : $"unit {Unit}";

    /// <summary>A container target.</summary>
    public static StopTargetOptions ForContainer(string name) => new() { Container = name };
}
