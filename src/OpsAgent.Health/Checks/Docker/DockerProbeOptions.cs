using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Checks.Docker;

/// <summary>The settings of a <c>docker</c> probe.</summary>
public sealed class DockerProbeOptions : IProbeSettings
{
    /// <summary>docker: the container name or id.</summary>
    public string? Container { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Container))
        {
            errors.Add($"{path}:{nameof(Container)}", "required for a docker probe");
        }
    }

    /// <inheritdoc />
    public string Describe() => $"container {Container}";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.CheckContainerAsync($"{path}:{nameof(Container)}", Container!, cancellationToken);
    }
}
