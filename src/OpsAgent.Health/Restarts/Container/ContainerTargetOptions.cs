using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Restarts.Container;

/// <summary>The <c>Container</c> restart target.</summary>
public sealed class ContainerTargetOptions : IRestartTargetSettings
{
    /// <summary>A Docker container (Engine API restart).</summary>
    public string? Container { get; set; }

    /// <summary>Docker: seconds the container gets to stop before it is killed.</summary>
    public int StopTimeoutSeconds { get; set; } = 10;

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(Container))
        {
            errors.Add($"{path}:{nameof(Container)}", "the container's name is empty");
        }

        if (StopTimeoutSeconds is < 0 or > 3600)
        {
            errors.Add($"{path}:{nameof(StopTimeoutSeconds)}", "must be between 0 and 3600");
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
