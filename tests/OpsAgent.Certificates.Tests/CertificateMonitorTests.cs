using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpsAgent.Certificates.Inspection;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Certificates.Tests;

public sealed class CertificateMonitorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private string _dir = null!;
    private FakeTimeProvider _clock = null!;
    private CapturingLoggerProvider _logs = null!;
    private ILoggerFactory _loggers = null!;
    private CertificateRenewer _renewer = null!;
    private CertificateResults _results = null!;
    private CertificateMonitor _monitor = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-certmon-").FullName;
        _clock = new FakeTimeProvider(Start);
        _logs = new CapturingLoggerProvider();
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        _renewer = NewRenewer();
        _results = new CertificateResults();
        _monitor = NewMonitor(_renewer, _results);
    }

    /// <summary>A monitor as the agent composes it; a new one (with new results) is what an agent restart starts with.</summary>
    private CertificateMonitor NewMonitor(CertificateRenewer renewer, CertificateResults results)
        => new(new CertificateChecker(new EndpointInspector(_clock)), renewer, results,
            new CertificateLogDeduplicator(SecretRedactor.Shared, _loggers.CreateLogger<CertificateMonitor>()), _clock);

    /// <summary>A renewer that runs commands as child processes, as the agent does outside a systemd service.</summary>
    private CertificateRenewer NewRenewer()
        => new(new HostCommandRunner(ToolRunner.HostOnly, _clock, _loggers.CreateLogger<HostCommandRunner>(), systemdRun: null), SecretRedactor.Shared, _clock,
            _loggers.CreateLogger<CertificateRenewer>());

    [TearDown]
    public void TearDown()
    {
        _loggers.Dispose();
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static CertificatesOptions Options(string file, OnCriticalOptions? onCritical = null) => new()
    {
        Files = { ["site"] = new CertificateFileOptions { Path = file, OnCritical = onCritical } },
    };

    private string WriteCertificate(double lifetimeDays, double daysLeft)
    {
        using var leaf = TestCertificates.WithDaysLeft("site.test", Start, lifetimeDays, daysLeft);
        var path = Path.Combine(_dir, "cert.pem");
        File.WriteAllText(path, TestCertificates.Pem(leaf));
        return path;
    }

    private Task<CertificateRunSummary> RunAsync(CertificatesOptions options) => _monitor.RunAsync(options, _dir, CancellationToken.None);

    [Test]
    public async Task RunAsync_LevelUnchanged_LoggedOnceUntilItChanges()
    {
        var options = Options(WriteCertificate(lifetimeDays: 90, daysLeft: 29));

        await RunAsync(options);
        _clock.Advance(TimeSpan.FromHours(6));
        await RunAsync(options);
        _clock.Advance(TimeSpan.FromDays(23));
        var summary = await RunAsync(options);

        var warnings = _logs.WithEvent("certificate_warning");
        var critical = _logs.WithEvent("certificate_critical");
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Has.Count.EqualTo(1), _logs.AllText);
            Assert.That(warnings[0].Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warnings[0].Properties["Certificate"], Is.EqualTo("site"));
            Assert.That(critical, Has.Count.EqualTo(1));
            Assert.That(critical[0].Level, Is.EqualTo(LogLevel.Critical), "critical is journald PRIORITY 2");
            Assert.That(critical[0].Message, Does.Contain("5.8 days left"), "29 days - 6 h - 23 days");
            Assert.That(summary.Critical, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RunAsync_StillCritical_LoggedAgainOnceADay()
    {
        var options = Options(WriteCertificate(lifetimeDays: 90, daysLeft: 5));

        await RunAsync(options);
        _clock.Advance(TimeSpan.FromHours(6));
        await RunAsync(options);
        _clock.Advance(TimeSpan.FromHours(18));
        await RunAsync(options);

        Assert.That(_logs.WithEvent("certificate_critical"), Has.Count.EqualTo(2), _logs.AllText);
    }

    [Test]
    public async Task RunAsync_HealthyCertificate_NothingLoggedAndOkLoggedAfterRenewal()
    {
        var path = WriteCertificate(lifetimeDays: 45, daysLeft: 20);
        var options = Options(path);
        await RunAsync(options);
        Assert.That(_logs.Entries.Where(e => e.Event?.StartsWith("certificate_", StringComparison.Ordinal) == true), Is.Empty, "45-day certificate at 20 days left is ok: nothing to say");

        _clock.Advance(TimeSpan.FromDays(15));
        await RunAsync(options);
        WriteCertificate(lifetimeDays: 45, daysLeft: 60);
        await RunAsync(options);

        Assert.That(_logs.Entries.Select(e => e.Event).Where(e => e is not null), Is.EqualTo(new[] { "certificate_critical", "certificate_ok" }));
    }

    [Test]
    public async Task RunAsync_OnCritical_RunsAtMostOnceADayWithOutputCaptured()
    {
        var counter = Path.Combine(_dir, "renewals");
        var options = Options(WriteCertificate(lifetimeDays: 90, daysLeft: 3), new OnCriticalOptions
        {
            Command = $"sh -c 'echo renewing site.test; echo run >> {counter}'",
            Then = "echo reloaded",
        });

        await RunAsync(options);
        _clock.Advance(TimeSpan.FromHours(6));
        await RunAsync(options);
        var afterOneDay = File.ReadAllLines(counter).Length;
        _clock.Advance(TimeSpan.FromHours(19));
        await RunAsync(options);

        var entries = _logs.WithEvent("certificate_renewal");
        Assert.Multiple(() =>
        {
            Assert.That(afterOneDay, Is.EqualTo(1));
            Assert.That(File.ReadAllLines(counter), Has.Length.EqualTo(2), "a day later it runs again");
            Assert.That(entries, Has.Count.EqualTo(2));
            Assert.That(entries[0].Properties["Output"]?.ToString(), Does.Contain("renewing site.test").And.Contains("reloaded"));
            Assert.That(_renewer.Counts("site"), Is.EqualTo((2L, 0L)));
        });
    }

    [Test]
    public async Task RunAsync_OnCriticalAfterAgentRestart_RemembersTheLastAttempt()
    {
        var counter = Path.Combine(_dir, "renewals");
        var options = Options(WriteCertificate(lifetimeDays: 90, daysLeft: 3), new OnCriticalOptions { Command = $"sh -c 'echo run >> {counter}'" });
        await RunAsync(options);

        var restarted = NewMonitor(NewRenewer(), new CertificateResults());
        await restarted.RunAsync(options, _dir, CancellationToken.None);

        Assert.That(File.ReadAllLines(counter), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task RunAsync_OnCriticalAttemptCannotBeRecorded_NotRunAtAnyStartAndLoggedWithReason()
    {
        var counter = Path.Combine(_dir, "renewals");
        var options = Options(WriteCertificate(lifetimeDays: 90, daysLeft: 3), new OnCriticalOptions { Command = $"sh -c 'echo run >> {counter}'" });
        var state = Path.Combine(_dir, "state");
        File.WriteAllText(state, "not a directory");

        await _monitor.RunAsync(options, state, CancellationToken.None);
        var restarted = NewMonitor(NewRenewer(), new CertificateResults());
        await restarted.RunAsync(options, state, CancellationToken.None);

        var entries = _logs.WithEvent("certificate_renewal");
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(counter), Is.False, "a restart loop would run it at every start");
            Assert.That(entries, Has.Count.EqualTo(2), _logs.AllText);
            Assert.That(entries.Select(e => e.Level), Has.All.EqualTo(LogLevel.Error));
            Assert.That(entries.Select(e => e.Properties.GetValueOrDefault("Reason")), Has.All.EqualTo("state_unwritable"));
            Assert.That(entries.Select(e => e.Message), Has.All.Contains("not run").And.All.Contains(Path.Combine(state, "certificate-renewals.json")));
            Assert.That(_renewer.Counts("site"), Is.EqualTo((0L, 1L)), "a renewal that did not happen is a failure");
        });
    }

    [Test]
    public async Task RunAsync_OnCriticalCommandFails_CountedAsFailureAndThenNotRun()
    {
        var marker = Path.Combine(_dir, "then-ran");
        var options = Options(WriteCertificate(lifetimeDays: 90, daysLeft: 3), new OnCriticalOptions
        {
            Command = "sh -c 'echo rate limited >&2; exit 3'",
            Then = $"touch {marker}",
        });

        await RunAsync(options);

        var entry = _logs.WithEvent("certificate_renewal").Single();
        Assert.Multiple(() =>
        {
            Assert.That(_renewer.Counts("site"), Is.EqualTo((0L, 1L)));
            Assert.That(entry.Level, Is.EqualTo(LogLevel.Error));
            Assert.That(entry.Message, Does.Contain("exited with 3").And.Contains("rate limited"));
            Assert.That(File.Exists(marker), Is.False, "Then runs only after the command succeeded");
        });
    }

    private string WriteLineage(string name, double daysLeft)
    {
        using var leaf = TestCertificates.WithDaysLeft("site.test", Start, 90, daysLeft);
        var path = Path.Combine(_dir, "live", name, "fullchain.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, TestCertificates.Pem(leaf));
        return path;
    }

    [Test]
    public async Task RunAsync_GlobEntryWithCertName_RunsOncePerCriticalFileWithItsNameAsOneArgument()
    {
        var first = WriteLineage("api.example.test", daysLeft: 3);
        var odd = WriteLineage("it's a \"name\"; touch pwned", daysLeft: 2);
        WriteLineage("healthy.example.test", daysLeft: 60);
        var calls = Path.Combine(_dir, "calls");
        var options = Options(Path.Combine(_dir, "live", "*", "fullchain.pem"), new OnCriticalOptions
        {
            Command = $"sh -c 'printf \"%s|%s|%s\\n\" \"$#\" \"$1\" \"$2\" >> {calls}' renew --cert-name={{CertName}} {{Path}}",
        });

        await RunAsync(options);
        _clock.Advance(TimeSpan.FromHours(6));
        await RunAsync(options);

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllLines(calls).Order(StringComparer.Ordinal), Is.EqualTo(new[]
            {
                $"2|--cert-name=api.example.test|{first}",
                $"2|--cert-name=it's a \"name\"; touch pwned|{odd}",
            }), "once per critical file, at most once a day each, each name one argument");
            Assert.That(File.Exists(Path.Combine(_dir, "pwned")), Is.False);
            Assert.That(_renewer.Counts("site"), Is.EqualTo((2L, 0L)));
        });
    }

    [Test]
    public async Task RunAsync_GlobEntryWithoutPlaceholders_RunsOncePerEntry()
    {
        WriteLineage("a.example.test", daysLeft: 3);
        WriteLineage("b.example.test", daysLeft: 2);
        var calls = Path.Combine(_dir, "calls");
        var options = Options(Path.Combine(_dir, "live", "*", "fullchain.pem"), new OnCriticalOptions { Command = $"sh -c 'echo run >> {calls}'" });

        await RunAsync(options);

        Assert.That(File.ReadAllLines(calls), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task RunAsync_OnCriticalCommandNotInstalled_NotRememberedAndTriedAtTheNextCheck()
    {
        var options = Options(WriteCertificate(lifetimeDays: 90, daysLeft: 3), new OnCriticalOptions { Command = "opsagent-test-no-such-certbot renew" });

        await RunAsync(options);
        _clock.Advance(TimeSpan.FromHours(6));
        await RunAsync(options);

        var entries = _logs.WithEvent("certificate_renewal");
        Assert.Multiple(() =>
        {
            Assert.That(entries, Has.Count.EqualTo(2), "a command that could not start is not the day's attempt");
            Assert.That(entries.Select(e => e.Message), Has.All.Contains("could not start (tool_missing)").And.All.Contains("next check tries again"));
            Assert.That(_renewer.Counts("site"), Is.EqualTo((0L, 2L)));
        });
    }

    [Test]
    public async Task RunAsync_UnreadableFile_CheckFailedLoggedOnceWithReason()
    {
        var options = Options(Path.Combine(_dir, "missing.pem"));

        await RunAsync(options);
        var summary = await RunAsync(options);

        var failed = _logs.WithEvent("certificate_check_failed");
        Assert.Multiple(() =>
        {
            Assert.That(failed, Has.Count.EqualTo(1));
            Assert.That(failed[0].Properties["Reason"], Is.EqualTo("not_found"));
            Assert.That(summary.Failed, Is.EqualTo(1));
            Assert.That(new CertificateStatusItems(_results, SecretRedactor.Shared).GetItems().Single().State, Is.EqualTo("failed"));
        });
    }
}
