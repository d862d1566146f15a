namespace OpsAgent.Health.Checks.Docker;

/// <summary>The settings of a <c>docker</c> probe.</summary>
public sealed class DockerProbeOptions
{
    /// <summary>docker: the container name or id.</summary>
    public string? Container { get; set; }
}
