using OpsAgent.Core.Docker;

namespace OpsAgent.Health.Restarts.Container;

/// <summary>Restarts a Docker container through the Engine API, giving it its stop timeout.</summary>
internal sealed class ContainerTargetType(DockerClientProvider docker) : RestartTargetType<ContainerTargetOptions>
{
    protected override IRestartTarget Create(ContainerTargetOptions options, RestartOptions restart)
        => new ContainerTarget(options.Container!, options.StopTimeoutSeconds, docker);
}
