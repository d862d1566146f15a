namespace OpsAgent.Health.Restarts.Unit;

/// <summary>The <c>Unit</c> restart target.</summary>
public sealed class UnitTargetOptions
{
    /// <summary>A systemd unit (<c>systemctl restart</c>).</summary>
    public string? Unit { get; set; }
}
