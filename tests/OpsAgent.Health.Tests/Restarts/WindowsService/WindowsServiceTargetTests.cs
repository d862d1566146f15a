using System.Diagnostics;
using System.ServiceProcess;
using OpsAgent.Health.Restarts;
using OpsAgent.Health.Restarts.WindowsService;
using OpsAgent.Testing;

namespace OpsAgent.Health.Tests.Restarts.WindowsService;

/// <summary>
/// The <c>WindowsService</c> restart target against a real service: the GitHub workflow's windows job installs OpsAgent
/// with install.ps1 and names it in OPSAGENT_TEST_WINDOWS_SERVICE; everywhere else these are reported skipped.
/// </summary>
/// <remarks>Each test skips itself (counted, with the reason) before any Windows-only call.</remarks>
[TestFixture]
[CancelAfter(120_000)]
public sealed class WindowsServiceTargetTests
{
    private const string NotWindows = "Windows services exist only on Windows: the GitHub workflow's windows job runs this against the OpsAgent service install.ps1 installs";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Restart_RunningService_RunsAgainInANewProcess(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Ignore(NotWindows);
            return;
        }

        var service = TestEnvironment.Require("OPSAGENT_TEST_WINDOWS_SERVICE");
        var before = ProcessId(service);
        var target = new WindowsServiceTarget(service, Timeout);

        Assert.That(await target.ReasonToSkipAsync(_ => { }, cancellationToken), Is.Null, "a running service is not skipped");
        await target.RestartAsync(cancellationToken);

        using var controller = new ServiceController(service);
        var running = controller.Status == ServiceControllerStatus.Running;
        Assert.That(running, Is.True, "the service runs again");
        Assert.That(ProcessId(service), Is.Not.EqualTo(before).And.Not.Zero, "the service was stopped and started, not left alone");
    }

    [Test]
    public async Task Restart_StoppedService_IsStarted(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Ignore(NotWindows);
            return;
        }

        var service = TestEnvironment.Require("OPSAGENT_TEST_WINDOWS_SERVICE");
        using (var controller = new ServiceController(service))
        {
            controller.Stop();
            controller.WaitForStatus(ServiceControllerStatus.Stopped, Timeout);
        }

        await new WindowsServiceTarget(service, Timeout).RestartAsync(cancellationToken);

        using var after = new ServiceController(service);
        Assert.That(after.Status, Is.EqualTo(ServiceControllerStatus.Running));
    }

    [Test]
    public void Restart_UnknownService_FailsNamingIt(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Ignore(NotWindows);
            return;
        }

        TestEnvironment.Require("OPSAGENT_TEST_WINDOWS_SERVICE");
        const string missing = "opsagent-test-no-such-service";

        var target = new WindowsServiceTarget(missing, Timeout);
        var restart = target.RestartAsync;
        var error = Assert.ThrowsAsync<InvalidOperationException>(() => restart(cancellationToken));

        Assert.That(error!.Message, Does.Contain(missing));
    }

    /// <summary>The service's process id as the service control manager reports it (<c>sc.exe queryex</c>).</summary>
    private static int ProcessId(string service)
    {
        using var sc = Process.Start(new ProcessStartInfo("sc.exe", ["queryex", service]) { RedirectStandardOutput = true })!;
        var output = sc.StandardOutput.ReadToEnd();
        sc.WaitForExit();
        var line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("PID", StringComparison.Ordinal));
        return line is null ? 0 : int.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
