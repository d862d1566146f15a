namespace OpsAgent.Health.Restarts.WindowsService;

/// <summary>Stops and starts a Windows service through the service control manager.</summary>
internal sealed class WindowsServiceTargetType : RestartTargetType<WindowsServiceTargetOptions>
{
    protected override IRestartTarget Create(WindowsServiceTargetOptions options, RestartOptions restart) => OperatingSystem.IsWindows()
        ? new WindowsServiceTarget(options.WindowsService!, restart.VerifyTimeout)
        : throw new PlatformNotSupportedException("Windows services can only be restarted on Windows");
}
