using System.Runtime.Versioning;
using System.ServiceProcess;

namespace OpsAgent.Health.Restarts.WindowsService;

/// <summary>A Windows service, stopped and started through the service control manager.</summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsServiceTarget(string service, TimeSpan timeout) : IRestartTarget
{
    public string Description => $"service {service}";

    public TimeSpan StopAllowance => timeout;

    public Task<string?> ReasonToSkipAsync(Action<string> prepared, CancellationToken cancellationToken)
    {
        using var controller = new ServiceController(service);
        return Task.FromResult<string?>(controller.Status switch
        {
            ServiceControllerStatus.StartPending or ServiceControllerStatus.StopPending or ServiceControllerStatus.ContinuePending or ServiceControllerStatus.PausePending
                => RestartReasons.ServiceTransitioning,
            ServiceControllerStatus.Paused => RestartReasons.OperatorPaused,
            _ => null,
        });
    }

    public Task RestartAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var controller = new ServiceController(service);
        if (controller.Status != ServiceControllerStatus.Stopped)
        {
            controller.Stop();
            controller.WaitForStatus(ServiceControllerStatus.Stopped, timeout);
        }

        cancellationToken.ThrowIfCancellationRequested();
        controller.Start();
        controller.WaitForStatus(ServiceControllerStatus.Running, timeout);
    }, cancellationToken);

    public Task<string> CaptureLogsAsync(int lines, CancellationToken cancellationToken)
        => Task.FromResult($"(the Windows event log of {service} is not captured; see Event Viewer)");
}
