using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsAgent.Core.Processes;

namespace OpsAgent.Core.Tests.Processes;

public sealed class HostCommandRunnerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 15, 30, 123, TimeSpan.Zero);

    [Test]
    public void Wrap_Command_SystemdRunWaitsCollectsAndBoundsTheUnit()
    {
        var wrapped = HostCommandRunner.Wrap("/usr/bin/systemd-run", "opsagent-cert-renew-le-20261201T001530123.service", "OpsAgent cert-renew for le: certbot renew",
            new ToolCommand("/usr/bin/certbot", ["certificates", "--cert-name", "a b"]), TimeSpan.FromMinutes(5));

        Assert.Multiple(() =>
        {
            Assert.That(wrapped.FileName, Is.EqualTo("/usr/bin/systemd-run"));
            Assert.That(wrapped.Arguments, Is.EqualTo(new[]
            {
                "--wait", "--collect", "--quiet", "--service-type=exec",
                "--unit=opsagent-cert-renew-le-20261201T001530123.service",
                "--description=OpsAgent cert-renew for le: certbot renew",
                "--property=TimeoutStopSec=10s",
                "--property=RuntimeMaxSec=360s",
                "--", "/usr/bin/certbot", "certificates", "--cert-name", "a b",
            }));
        });
    }

    [Test]
    public void Wrap_Environment_PassedByNameOnlySoValuesStayOutOfTheCommandLine()
    {
        var command = new ToolCommand("/usr/bin/cleanup", []) { Environment = new Dictionary<string, string> { ["PGPASSWORD"] = "s3cret-Pw" } };

        var wrapped = HostCommandRunner.Wrap("systemd-run", "opsagent-x-y-1.service", "d", command, TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(wrapped.Arguments, Does.Contain("--setenv=PGPASSWORD"));
            Assert.That(wrapped.Arguments.Any(a => a.Contains("s3cret", StringComparison.Ordinal)), Is.False);
            Assert.That(wrapped.Environment["PGPASSWORD"], Is.EqualTo("s3cret-Pw"), "systemd-run copies it from its own environment");
        });
    }

    [Test]
    public void UnitName_EntryWithCharactersSystemdRejects_ReplacedAndTimestamped()
        => Assert.That(HostCommandRunner.UnitName("cert-renew", "le:a b/c", Now), Is.EqualTo("opsagent-cert-renew-le_a_b_c-20261201T001530123.service"));

    [Test]
    public void Refusal_SystemdRunCouldNotStartTheUnit_RecognizedButTheCommandsOwnErrorsAreNot()
    {
        Assert.Multiple(() =>
        {
            Assert.That(HostCommandRunner.Refusal("Failed to start transient service unit: Unit opsagent-x.service already exists.\n"),
                Does.StartWith("Failed to start transient service unit"));
            Assert.That(HostCommandRunner.Refusal("Failed to connect to bus: No such file or directory"), Is.Not.Null);
            Assert.That(HostCommandRunner.Refusal("An unexpected error occurred:\nFailed to renew certificate example.com"), Is.Null);
        });
    }

    [Test]
    public void RunAsync_UnderSystemdProgramNotInstalled_ToolMissingBeforeAnyUnitStarts()
    {
        var runner = new HostCommandRunner(ToolRunner.HostOnly, new FakeTimeProvider(Now), NullLogger<HostCommandRunner>.Instance, "/bin/false");

        var ex = Assert.ThrowsAsync<ToolStartException>(() => runner.RunAsync("cert-renew", "le", new ToolCommand("opsagent-test-no-such-tool", []), TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.That(ex!.Reason, Is.EqualTo(ToolStartReasons.ToolMissing));
    }

    [Test]
    public async Task RunAsync_NotUnderSystemd_RunsTheCommandDirectlyWithItsOutputAndExitCode()
    {
        var runner = new HostCommandRunner(ToolRunner.HostOnly, new FakeTimeProvider(Now), NullLogger<HostCommandRunner>.Instance, systemdRun: null);

        var (exit, output, unit) = await runner.RunAsync("cert-renew", "le", new ToolCommand("sh", ["-c", "echo out; echo err >&2; exit 4"]), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(exit.ExitCode, Is.EqualTo(4));
            Assert.That(output, Is.EqualTo("out\n"));
            Assert.That(exit.StandardError, Is.EqualTo("err\n"));
            Assert.That(unit, Is.Null);
        });
    }
}
