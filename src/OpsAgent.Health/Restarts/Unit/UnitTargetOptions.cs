using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Restarts.Unit;

/// <summary>The <c>Unit</c> restart target.</summary>
public sealed class UnitTargetOptions : IRestartTargetSettings
{
    /// <summary>A systemd unit (<c>systemctl restart</c>).</summary>
    public string? Unit { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Unit))
        {
            errors.Add($"{path}:{nameof(Unit)}", "the unit's name is empty");
        }
    }

    /// <inheritdoc />
    public string Describe() => $"unit {Unit}";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.CheckUnitAsync($"{path}:{nameof(Unit)}", Unit!, cancellationToken);
    }
}
