namespace OpsAgent.Health.Restarts.Container;

/// <summary>The <c>Container</c> restart target.</summary>
public sealed class ContainerTargetOptions
{
    /// <summary>A Docker container (Engine API restart).</summary>
    public string? Container { get; set; }

    /// <summary>Docker: seconds the container gets to stop before it is killed.</summary>
    public int StopTimeoutSeconds { get; set; } = 10;
}
