using OpsAgent.Core.Configuration;

namespace OpsAgent.Health.Restarts.WindowsService;

/// <summary>Stops and starts a Windows service through the service control manager.</summary>
internal sealed class WindowsServiceTargetType : RestartTargetType<WindowsServiceTargetOptions>
{
    protected override void Validate(string path, WindowsServiceTargetOptions options, ValidationCollector errors)
    {
        if (!OperatingSystem.IsWindows())
        {
            errors.Add($"{path}:{nameof(options.WindowsService)}", "Windows services can only be restarted on Windows");
        }
        else if (string.IsNullOrWhiteSpace(options.WindowsService))
        {
            errors.Add($"{path}:{nameof(options.WindowsService)}", "the service's name is empty");
        }
    }

    protected override string Describe(WindowsServiceTargetOptions options) => $"service {options.WindowsService}";

    protected override IRestartTarget Create(WindowsServiceTargetOptions options, RestartOptions restart) => OperatingSystem.IsWindows()
        ? new WindowsServiceTarget(options.WindowsService!, restart.VerifyTimeout)
        : throw new PlatformNotSupportedException("Windows services can only be restarted on Windows");
}
