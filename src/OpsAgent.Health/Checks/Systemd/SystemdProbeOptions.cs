using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Checks.Systemd;

/// <summary>The settings of a <c>systemd</c> probe.</summary>
public sealed class SystemdProbeOptions : IProbeSettings
{
    /// <summary>systemd: the unit.</summary>
    public string? Unit { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Unit))
        {
            errors.Add($"{path}:{nameof(Unit)}", "required for a systemd probe");
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
