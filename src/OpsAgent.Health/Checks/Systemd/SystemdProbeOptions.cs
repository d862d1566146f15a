namespace OpsAgent.Health.Checks.Systemd;

/// <summary>The settings of a <c>systemd</c> probe.</summary>
public sealed class SystemdProbeOptions
{
    /// <summary>systemd: the unit.</summary>
    public string? Unit { get; set; }
}
