using OpsAgent.Core.Configuration;
using OpsAgent.Core.Docker;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Restarts.Container;

/// <summary>Restarts a Docker container through the Engine API, giving it its stop timeout.</summary>
internal sealed class ContainerTargetType(DockerClientProvider docker) : RestartTargetType<ContainerTargetOptions>
{
    protected override void Validate(string path, ContainerTargetOptions options, ValidationCollector errors)
    {
        if (string.IsNullOrWhiteSpace(options.Container))
        {
            errors.Add($"{path}:{nameof(options.Container)}", "the container's name is empty");
        }

        if (options.StopTimeoutSeconds is < 0 or > 3600)
        {
            errors.Add($"{path}:{nameof(options.StopTimeoutSeconds)}", "must be between 0 and 3600");
        }
    }

    protected override string Describe(ContainerTargetOptions options) => $"container {options.Container}";

    protected override Task CheckHostAsync(string path, ContainerTargetOptions options, HostCheckContext context, CancellationToken cancellationToken)
        => context.CheckContainerAsync($"{path}:{nameof(options.Container)}", options.Container!, cancellationToken);

    protected override IRestartTarget Create(ContainerTargetOptions options, RestartOptions restart)
        => new ContainerTarget(options.Container!, options.StopTimeoutSeconds, docker);
}
