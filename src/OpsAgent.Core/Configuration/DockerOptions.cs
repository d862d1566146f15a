namespace OpsAgent.Core.Configuration;

/// <summary>Docker Engine API settings.</summary>
public sealed class DockerOptions
{
    /// <summary>Engine endpoint, <c>unix:///var/run/docker.sock</c> or <c>npipe://./pipe/docker_engine</c>.</summary>
    public string Endpoint { get; set; } = OperatingSystem.IsWindows() ? "npipe://./pipe/docker_engine" : "unix:///var/run/docker.sock";
}
