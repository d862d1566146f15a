namespace OpsAgent.Health.Restarts.Unit;

/// <summary>Restarts a systemd unit with <c>systemctl restart</c>.</summary>
internal sealed class UnitTargetType(Systemctl systemctl) : RestartTargetType<UnitTargetOptions>
{
    protected override IRestartTarget Create(UnitTargetOptions options, RestartOptions restart) => new UnitTarget(options.Unit!, systemctl);
}
