using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Restarts.WindowsService;

/// <summary>The <c>WindowsService</c> restart target.</summary>
public sealed class WindowsServiceTargetOptions : IRestartTargetSettings
{
    /// <summary>A Windows service (service control manager).</summary>
    public string? WindowsService { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!OperatingSystem.IsWindows())
        {
            errors.Add($"{path}:{nameof(WindowsService)}", "Windows services can only be restarted on Windows");
        }
        else if (string.IsNullOrWhiteSpace(WindowsService))
        {
            errors.Add($"{path}:{nameof(WindowsService)}", "the service's name is empty");
        }
    }

    /// <inheritdoc />
    public string Describe() => $"service {WindowsService}";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
