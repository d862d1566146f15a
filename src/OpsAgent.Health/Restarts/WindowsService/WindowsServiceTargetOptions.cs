namespace OpsAgent.Health.Restarts.WindowsService;

/// <summary>The <c>WindowsService</c> restart target.</summary>
public sealed class WindowsServiceTargetOptions
{
    /// <summary>A Windows service (service control manager).</summary>
    public string? WindowsService { get; set; }
}
