using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Checks.Tcp;

/// <summary>The settings of a <c>tcp</c> probe.</summary>
public sealed class TcpProbeOptions : IProbeSettings
{
    /// <summary>tcp: host.</summary>
    public string? Host { get; set; }

    /// <summary>tcp: port.</summary>
    public int? Port { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add($"{path}:{nameof(Host)}", "required for a tcp probe");
        }

        if (Port is null or < 1 or > 65535)
        {
            errors.Add($"{path}:{nameof(Port)}", "required for a tcp probe: 1-65535");
        }
    }

    /// <inheritdoc />
    public string Describe() => $"{Host}:{Port}";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckHost($"{path}:{nameof(Host)}", Host);
        return Task.CompletedTask;
    }
}
