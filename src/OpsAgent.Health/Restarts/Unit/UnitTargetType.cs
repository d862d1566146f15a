using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Restarts.Unit;

/// <summary>Restarts a systemd unit with <c>systemctl restart</c>.</summary>
internal sealed class UnitTargetType(Systemctl systemctl) : RestartTargetType<UnitTargetOptions>
{
    protected override void Validate(string path, UnitTargetOptions options, ValidationCollector errors)
    {
        if (string.IsNullOrWhiteSpace(options.Unit))
        {
            errors.Add($"{path}:{nameof(options.Unit)}", "the unit's name is empty");
        }
    }

    protected override string Describe(UnitTargetOptions options) => $"unit {options.Unit}";

    protected override Task CheckHostAsync(string path, UnitTargetOptions options, HostCheckContext context, CancellationToken cancellationToken)
        => context.CheckUnitAsync($"{path}:{nameof(options.Unit)}", options.Unit!, cancellationToken);

    protected override IRestartTarget Create(UnitTargetOptions options, RestartOptions restart) => new UnitTarget(options.Unit!, systemctl);
}
