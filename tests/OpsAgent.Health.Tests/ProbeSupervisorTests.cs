using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpsAgent.Core.Secrets;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Checks.Http;
using OpsAgent.Health.Checks.MongoDb;
using OpsAgent.Health.Restarts;
using OpsAgent.Health.Restarts.Unit;

namespace OpsAgent.Health.Tests;

/// <summary>The state machine on a fake clock with a recording restart target: thresholds, verification, storm control, guards.</summary>
public sealed class ProbeSupervisorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private string _dir = null!;
    private FakeTimeProvider _clock = null!;
    private CapturingLoggerProvider _logs = null!;
    private ILoggerFactory _loggers = null!;
    private FakeTarget _target = null!;
    private ProbeStateStore _store = null!;
    private PauseStore _pauses = null!;
    private ProbeSupervisor _supervisor = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-probes-").FullName;
        _clock = new FakeTimeProvider(Start);
        _logs = new CapturingLoggerProvider();
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        _target = new FakeTarget();
        _store = new ProbeStateStore(_clock);
        _pauses = new PauseStore(_clock, _loggers.CreateLogger<PauseStore>());
        _stopped = new OpsAgent.Core.Maintenance.StoppedServicesStore(_clock);
        _supervisor = new ProbeSupervisor(_store, _pauses, _target, SecretRedactor.Shared, _clock, _loggers.CreateLogger<ProbeSupervisor>(), _stopped);
    }

    private OpsAgent.Core.Maintenance.StoppedServicesStore _stopped = null!;

    [TearDown]
    public void TearDown()
    {
        _loggers.Dispose();
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static ProbeOptions Backend(int maxRestarts = 3) => new()
    {
        Type = "http",
        Settings = new HttpProbeOptions { Url = "http://127.0.0.1/health" },
        Every = TimeSpan.FromSeconds(10),
        FailureThreshold = 3,
        SuccessThreshold = 1,
        Restart = new RestartOptions
        {
            Target = new UnitTargetOptions { Unit = "backend.service" },
            MaxRestarts = maxRestarts,
            Window = TimeSpan.FromHours(1),
            Backoff = new BackoffOptions { Initial = TimeSpan.FromSeconds(10), Max = TimeSpan.FromMinutes(1) },
            VerifyTimeout = TimeSpan.FromSeconds(30),
            CaptureLogLines = 50,
        },
    };

    private static ProbesOptions All(params (string Name, ProbeOptions Options)[] probes)
    {
        var all = new ProbesOptions();
        foreach (var (name, options) in probes)
        {
            all.Probes[name] = options;
        }

        return all;
    }

    private static readonly ProbeResult Fail = ProbeResult.Fail("json_mismatch:mongo", "mongo is \"fail\"; expected \"ok\"", TimeSpan.FromMilliseconds(5));
    private static readonly ProbeResult Pass = ProbeResult.Ok(TimeSpan.FromMilliseconds(5), "HTTP 200");

    /// <summary>One probe run every <c>Every</c>.</summary>
    private async Task<ProbeState> StepAsync(ProbeOptions options, ProbeResult result, ProbesOptions? all = null, string name = "backend")
    {
        var state = await _supervisor.StepAsync(name, options, all ?? All((name, options)), _dir, result, CancellationToken.None);
        _clock.Advance(options.Every);
        return state;
    }

    [Test]
    public async Task Step_TargetStoppedByTheAgentForABackup_FailuresNotCountedNoRestartUntilTheHoldEnds()
    {
        var options = Backend();
        _stopped.Add(_dir, new OpsAgent.Core.Maintenance.StoppedService(_target.Description, "media", "backup", Start));

        for (var i = 0; i < 6; i++)
        {
            await StepAsync(options, Fail);
        }

        var whileStopped = _store.Get("backend", options.StartPeriod);
        Assert.That((whileStopped.Healthy, whileStopped.ConsecutiveFailures, _target.Restarts), Is.EqualTo((true, 0, 0)), "stopped on purpose: no failure, no restart");
        Assert.That(_logs.Entries.Any(e => e.EventId.Id == OpsAgent.Core.Logging.EventIds.Probes.HeldByAgent && e.Message.Contains("stopped by media for a backup", StringComparison.Ordinal)), Is.True);

        _stopped.MarkStarted(_dir, _target.Description, "media", _clock.GetUtcNow() + TimeSpan.FromSeconds(30));
        for (var i = 0; i < 3; i++)
        {
            await StepAsync(options, Fail);
        }

        Assert.That(_target.Restarts, Is.Zero, "still held while it comes up");
        for (var i = 0; i < 3; i++)
        {
            await StepAsync(options, Fail);
        }

        Assert.That(_target.Restarts, Is.EqualTo(1), "past the hold a failing target is restarted as always");
    }

    [Test]
    public async Task Step_FailuresBelowThreshold_NoRestart()
    {
        var options = Backend();
        await StepAsync(options, Fail);
        var state = await StepAsync(options, Fail);

        Assert.Multiple(() =>
        {
            Assert.That(state.Healthy, Is.True);
            Assert.That(_target.Restarts, Is.Zero);
        });
    }

    [Test]
    public async Task Step_ThirdFailureThenRecovery_OneRestartRecovered()
    {
        var options = Backend();
        for (var i = 0; i < 3; i++)
        {
            await StepAsync(options, Fail);
        }

        var restarted = _target.Restarts;
        var state = await StepAsync(options, Pass);

        Assert.Multiple(() =>
        {
            Assert.That(restarted, Is.EqualTo(1), "restart issued on the third consecutive failure");
            Assert.That(state.Healthy, Is.True);
            Assert.That(state.Recovered, Is.EqualTo(1));
            Assert.That(_logs.Entries.Select(e => e.Event).OfType<string>(), Is.EqualTo(new[] { "probe_failing", "restart_started", "restart_recovered", "probe_recovered" }));
            Assert.That(_logs.WithEvent("probe_failing")[0].Properties["Reason"], Is.EqualTo("json_mismatch:mongo"));
        });
    }

    [Test]
    public async Task Step_NotRecoveredWithinVerifyTimeout_IncidentFileWithLogLines()
    {
        var options = Backend();
        _target.Log = "line 1\nline 2: mongo connection refused\n";
        for (var i = 0; i < 3 + 4; i++)
        {
            await StepAsync(options, Fail);
        }

        var entry = _logs.WithEvent("restart_not_recovered").Single();
        var incident = Directory.GetFiles(Path.Combine(_dir, "incidents")).Single();
        Assert.Multiple(() =>
        {
            Assert.That(Path.GetFileName(incident), Does.Match(@"^backend_\d{8}T\d{6}Z\.log$"));
            Assert.That(File.ReadAllText(incident), Does.Contain("line 2: mongo connection refused").And.Contains("target: unit backend.service"));
            Assert.That(entry.Properties["Log"], Is.EqualTo(_target.Log));
            Assert.That(entry.Level, Is.EqualTo(LogLevel.Error));
            Assert.That(_store.Find("backend")!.NotRecovered, Is.EqualTo(1));
            Assert.That(_target.LinesAsked, Is.EqualTo(50));
        });
    }

    [Test]
    public async Task Step_RestartRemovedByReloadWhileVerifying_VerificationEndsWithoutCrashing()
    {
        var options = Backend();
        for (var i = 0; i < 3; i++)
        {
            await StepAsync(options, Fail);
        }

        Assert.That(_store.Find("backend")!.Verifying, Is.True, "restarted, being verified");
        // A reload removes Restart from the probe while its restart is verified; the probe goes on failing past VerifyTimeout.
        var reloaded = Backend();
        reloaded.Restart = null;
        for (var i = 0; i < 4; i++)
        {
            await StepAsync(reloaded, Fail);
        }

        var state = _store.Find("backend")!;
        var entry = _logs.WithEvent("restart_not_recovered").Single();
        Assert.Multiple(() =>
        {
            Assert.That(state.Verifying, Is.False);
            Assert.That(state.NotRecovered, Is.EqualTo(1));
            Assert.That(state.Healthy, Is.False);
            Assert.That(entry.Properties["Target"], Is.EqualTo("unit backend.service"), "the target that was restarted");
            Assert.That(entry.Message, Does.Contain("Restart was removed"));
            Assert.That(_target.Restarts, Is.EqualTo(1), "no restart without Restart");
        });
    }

    [Test]
    public async Task Step_RestartRemovedByReloadThenRecovers_RecoveryReportedForTheRestartedTarget()
    {
        var options = Backend();
        for (var i = 0; i < 3; i++)
        {
            await StepAsync(options, Fail);
        }

        var reloaded = Backend();
        reloaded.Restart = null;
        var state = await StepAsync(reloaded, Pass);

        Assert.That(state.Healthy, Is.True);
        Assert.That(_logs.WithEvent("restart_recovered").Single().Properties["Target"], Is.EqualTo("unit backend.service"));
    }

    [Test]
    public async Task Step_StaysBroken_MaxRestartsWithBackoffThenSuppressedUntilHealthy()
    {
        var options = Backend(maxRestarts: 3);
        var restartTimes = new List<DateTimeOffset>();
        for (var i = 0; i < 60; i++)
        {
            var before = _target.Restarts;
            await StepAsync(options, Fail);
            if (_target.Restarts > before)
            {
                restartTimes.Add(_clock.GetUtcNow() - options.Every);
            }
        }

        var state = _store.Find("backend")!;
        var suppressedLogs = _logs.WithEvent("restart_suppressed");
        var gaps = restartTimes.Zip(restartTimes.Skip(1), (a, b) => b - a).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(_target.Restarts, Is.EqualTo(3));
            Assert.That(state.Suppressed, Is.True);
            Assert.That(suppressedLogs, Has.Count.EqualTo(1), "one error entry, not one per run");
            Assert.That(gaps, Has.All.GreaterThanOrEqualTo(TimeSpan.FromSeconds(30)), "each restart waits for verification and the back-off");
        });

        await StepAsync(options, Pass);
        Assert.That((state.Suppressed, state.Healthy), Is.EqualTo((false, true)), "healthy again lifts the suppression");
    }

    [Test]
    public async Task Step_BackoffLongerThanVerify_DoublesBetweenRestarts()
    {
        var options = Backend(maxRestarts: 10);
        options.Restart!.VerifyTimeout = TimeSpan.FromSeconds(10);
        options.Restart.Backoff = new BackoffOptions { Initial = TimeSpan.FromSeconds(20), Max = TimeSpan.FromSeconds(80) };
        var restartTimes = new List<DateTimeOffset>();
        for (var i = 0; i < 60; i++)
        {
            var before = _target.Restarts;
            var now = _clock.GetUtcNow();
            await StepAsync(options, Fail);
            if (_target.Restarts > before)
            {
                restartTimes.Add(now);
            }
        }

        var gaps = restartTimes.Zip(restartTimes.Skip(1), (a, b) => (b - a).TotalSeconds).Take(4).ToList();
        Assert.That(gaps, Is.EqualTo(new[] { 20.0, 40.0, 80.0, 80.0 }));
    }

    [Test]
    public async Task Step_DependencyFailing_NoRestartAndSkipLoggedOnce()
    {
        var mongo = new ProbeOptions { Type = "mongodb", Settings = new MongoProbeOptions(), Every = TimeSpan.FromSeconds(10), FailureThreshold = 1 };
        var backend = Backend();
        backend.DependsOn = ["mongo"];
        var all = All(("backend", backend), ("mongo", mongo));
        await _supervisor.StepAsync("mongo", mongo, all, _dir, ProbeResult.Fail("connection_refused", "refused", TimeSpan.Zero), CancellationToken.None);

        for (var i = 0; i < 6; i++)
        {
            await StepAsync(backend, Fail, all);
        }

        var skipped = _logs.WithEvent("restart_skipped");
        Assert.Multiple(() =>
        {
            Assert.That(_target.Restarts, Is.Zero);
            Assert.That(skipped, Has.Count.EqualTo(1));
            Assert.That(skipped[0].Properties["Reason"], Is.EqualTo("dependency_failing:mongo"));
        });

        await _supervisor.StepAsync("mongo", mongo, all, _dir, Pass, CancellationToken.None);
        await StepAsync(backend, Fail, all);
        Assert.That(_target.Restarts, Is.EqualTo(1), "restarted once the dependency is healthy");
    }

    [Test]
    public async Task Step_HostGivesNoFigure_FailingButNeverRestartedSkipSaidOnce()
    {
        // A cgroup v1 host gives a unit's control group no memory controller: restarting the unit every hour would only cut its users off.
        var options = Backend();
        var blind = ProbeResult.Fail(ProbeReasons.CannotMeasure, "ujmp.service's control group /system.slice/ujmp.service has no memory accounting under /sys/fs/cgroup", TimeSpan.Zero);

        ProbeState state = null!;
        for (var i = 0; i < 10; i++)
        {
            state = await StepAsync(options, blind);
        }

        var skipped = _logs.WithEvent("restart_skipped");
        Assert.Multiple(() =>
        {
            Assert.That(state.Healthy, Is.False, "what cannot be measured is not reported healthy");
            Assert.That(_logs.WithEvent("probe_failing").Single().Message, Does.Contain("cannot_measure").And.Contain("no memory accounting"));
            Assert.That(_target.Restarts, Is.Zero);
            Assert.That(skipped.Select(e => e.Properties["Reason"]), Is.EqualTo(new[] { "cannot_measure" }), "said once, not every run");
        });

        await StepAsync(options, Fail);
        await StepAsync(options, Fail);
        Assert.That(_target.Restarts, Is.EqualTo(1), "a failure a restart can mend still restarts");
    }

    [Test]
    public async Task Step_Paused_NoRestartUntilThePauseExpires()
    {
        var options = Backend();
        _pauses.Pause(_dir, "all", Start.AddMinutes(2));

        for (var i = 0; i < 10; i++)
        {
            await StepAsync(options, Fail);
        }

        var duringPause = _target.Restarts;
        for (var i = 0; i < 3; i++)
        {
            await StepAsync(options, Fail);
        }

        Assert.Multiple(() =>
        {
            Assert.That(duringPause, Is.Zero);
            Assert.That(_logs.WithEvent("restart_skipped")[0].Properties["Reason"]?.ToString(), Does.StartWith("paused_until:2026-11-23T02:02:00Z"));
            Assert.That(_target.Restarts, Is.EqualTo(1), "the pause ended by itself");
        });
    }

    [TestCase("garbage", "{ not json")]
    [TestCase("empty", "")]
    [TestCase("directory", null)]
    public async Task Step_PauseFileUnreadable_ErrorLoggedOnceAndEveryRestartSaysSo(string kind, string? content)
    {
        var options = Backend();
        var file = PauseStore.FilePath(_dir);
        if (content is null)
        {
            Directory.CreateDirectory(file);
        }
        else
        {
            File.WriteAllText(file, content);
        }

        // Long enough for a restart, a failed verification and a second restart.
        for (var i = 0; i < 6; i++)
        {
            await StepAsync(options, Fail);
        }

        var unreadable = _logs.WithEvent("pause_file_unreadable");
        var started = _logs.WithEvent("restart_started");
        Assert.Multiple(() =>
        {
            Assert.That(unreadable, Has.Count.EqualTo(1), $"{kind}: logged once, not at every probe run");
            Assert.That(unreadable.Count > 0 ? unreadable[0].Level : (LogLevel?)null, Is.EqualTo(LogLevel.Error), "PRIORITY 3");
            Assert.That(unreadable.Count > 0 ? unreadable[0].Message : null, Does.Contain(file));
            Assert.That(started, Has.Count.EqualTo(2));
            Assert.That(started.Select(e => e.Properties.GetValueOrDefault("PauseFile")), Has.All.EqualTo("unreadable"));
        });
    }

    [Test]
    public async Task Step_PauseFileRepaired_RestartNoLongerSaysUnreadable()
    {
        var options = Backend();
        File.WriteAllText(PauseStore.FilePath(_dir), "{ not json");
        for (var i = 0; i < 3; i++)
        {
            await StepAsync(options, Fail);
        }

        File.Delete(PauseStore.FilePath(_dir));
        for (var i = 0; i < 3; i++)
        {
            await StepAsync(options, Fail);
        }

        var started = _logs.WithEvent("restart_started");
        Assert.Multiple(() =>
        {
            Assert.That(started, Has.Count.EqualTo(2));
            Assert.That(started.Select(e => e.Properties.GetValueOrDefault("PauseFile")), Is.EqualTo(new object?[] { "unreadable", null }));
        });
    }

    [Test]
    public async Task Step_StartPeriod_FailuresCountedButNoRestart()
    {
        var options = Backend();
        options.StartPeriod = TimeSpan.FromMinutes(1);

        for (var i = 0; i < 5; i++)
        {
            await StepAsync(options, Fail);
        }

        var state = _store.Find("backend")!;
        var during = (_target.Restarts, state.Healthy, state.ConsecutiveFailures);
        for (var i = 0; i < 2; i++)
        {
            await StepAsync(options, Fail);
        }

        Assert.Multiple(() =>
        {
            Assert.That(during, Is.EqualTo((0, false, 5)));
            Assert.That(_target.Restarts, Is.EqualTo(1));
        });
    }

    [TestCase("operator_stopped")]
    [TestCase("unit_activating")]
    public async Task Step_TargetSaysNotNow_SkippedWithItsReason(string reason)
    {
        var options = Backend();
        _target.Guard = reason;

        for (var i = 0; i < 5; i++)
        {
            await StepAsync(options, Fail);
        }

        Assert.Multiple(() =>
        {
            Assert.That(_target.Restarts, Is.Zero);
            Assert.That(_logs.WithEvent("restart_skipped").Single().Properties["Reason"], Is.EqualTo(reason));
        });
    }

    [Test]
    public async Task Step_RestartCommandFails_CountedAsErrorAndRetriedAfterBackoff()
    {
        var options = Backend();
        _target.Fail = true;

        for (var i = 0; i < 3; i++)
        {
            await StepAsync(options, Fail);
        }

        _target.Fail = false;
        await StepAsync(options, Fail);
        await StepAsync(options, Fail);

        var state = _store.Find("backend")!;
        Assert.Multiple(() =>
        {
            Assert.That(state.Errors, Is.EqualTo(1));
            Assert.That(_logs.WithEvent("restart_not_recovered").Single().Message, Does.Contain("Job for backend.service failed"));
            Assert.That(_logs.WithEvent("restart_not_recovered").Single().Properties["Reason"], Is.EqualTo("restart_error"));
            Assert.That(Directory.GetFiles(Path.Combine(_dir, "incidents")), Has.Length.EqualTo(1), "a failed start is an incident too");
            Assert.That(_target.Restarts, Is.EqualTo(2));
        });
    }

    [TestCase("unit_stopped")]
    [TestCase("container_stopped")]
    public async Task Step_OperatorStoppedTarget_NoticeNotFailureAndStateStopped(string reason)
    {
        var options = Backend();
        _target.Guard = "operator_stopped";
        var stopped = ProbeResult.Fail(reason, "backend.service was stopped", TimeSpan.FromMilliseconds(5));
        ProbeState state = null!;
        for (var i = 0; i < 3; i++)
        {
            state = await StepAsync(options, stopped);
        }

        Assert.Multiple(() =>
        {
            Assert.That(state.Name, Is.EqualTo("stopped"));
            Assert.That(state.Healthy, Is.False, "still unhealthy in metrics");
            Assert.That(_logs.WithEvent("probe_failing"), Is.Empty);
            var notice = _logs.WithEvent("probe_stopped").Single();
            Assert.That(notice.Level, Is.EqualTo(LogLevel.Information));
            Assert.That(notice.Properties[OpsAgent.Core.Logging.EventScope.Priority], Is.EqualTo(5), "PRIORITY 5 (notice) in the journal");
            Assert.That(_logs.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty, string.Join("\n", _logs.Entries));
            Assert.That(_target.Restarts, Is.Zero);
        });
    }

    [Test]
    public async Task Step_WarningLevel_SaidOnceWhenEnteredAndOnceWhenLeft_NeitherAFailureNorARestart()
    {
        var options = Backend();
        static ProbeResult Memory(double ratio) => ProbeResult.Measured(TimeSpan.FromMilliseconds(1), "host", new ProbeMeasure("memory_ratio", ratio, 0.8, 0.9));

        await StepAsync(options, Memory(0.5));
        for (var i = 0; i < 5; i++)
        {
            await StepAsync(options, Memory(0.85));
        }

        var warned = _store.Get("backend", options.StartPeriod);
        var (healthy, failures, level) = (warned.Healthy, warned.ConsecutiveFailures, warned.Level);
        await StepAsync(options, Memory(0.6));
        await StepAsync(options, Memory(0.6));

        Assert.Multiple(() =>
        {
            Assert.That((healthy, failures, level), Is.EqualTo((true, 0, ProbeLevel.Warning)), "a warning is not a failure");
            Assert.That(_logs.WithEvent("probe_warning"), Has.Count.EqualTo(1), "once when entered, not on every run");
            Assert.That(_logs.WithEvent("probe_warning")[0].Level, Is.EqualTo(LogLevel.Warning), "PRIORITY 4");
            Assert.That(_logs.WithEvent("probe_warning")[0].Message, Does.Contain("memory_ratio_warning").And.Contain("85%"));
            Assert.That(_logs.WithEvent("probe_ok"), Has.Count.EqualTo(1), "once when left");
            Assert.That(_target.Restarts, Is.Zero);
            Assert.That(_store.Get("backend", options.StartPeriod).Level, Is.EqualTo(ProbeLevel.Ok));
        });
    }

    [Test]
    public async Task Step_CriticalMeasure_CountsAsAFailedAttemptAndRestartsAfterTheThreshold()
    {
        var options = Backend();
        var critical = ProbeResult.Measured(TimeSpan.FromMilliseconds(1), "ujmp.service", new ProbeMeasure("memory_bytes", 2e9, null, 1.5e9));

        for (var i = 0; i < 3; i++)
        {
            await StepAsync(options, critical);
        }

        var state = _store.Get("backend", options.StartPeriod);
        Assert.Multiple(() =>
        {
            Assert.That((critical.Success, critical.Reason), Is.EqualTo((false, "memory_bytes_critical")));
            Assert.That((state.Healthy, state.Level), Is.EqualTo((false, ProbeLevel.Critical)));
            Assert.That(_target.Restarts, Is.EqualTo(1), "FailureThreshold and Restart apply as to any failure");
            Assert.That(_logs.WithEvent("probe_warning"), Is.Empty, "critical goes through probe_failing");
        });
    }

    [Test]
    public async Task Step_BackupDumpingFromTheTargetContainer_NoRestartUntilTheDumpEndsThenRestarted()
    {
        var activity = new OpsAgent.Core.Maintenance.BackupActivity();
        _supervisor = new ProbeSupervisor(_store, _pauses, _target, SecretRedactor.Shared, _clock, _loggers.CreateLogger<ProbeSupervisor>(), _stopped, activity);
        var options = Backend();
        options.Restart!.Target = new OpsAgent.Health.Restarts.Container.ContainerTargetOptions { Container = "fmu_db" };
        var dump = activity.Begin("sims-db", "fmu_db");

        for (var i = 0; i < 6; i++)
        {
            await StepAsync(options, Fail);
        }

        var during = (_target.Restarts, _store.Get("backend", options.StartPeriod).Healthy);
        dump.Dispose();
        await StepAsync(options, Fail);

        Assert.Multiple(() =>
        {
            Assert.That(during, Is.EqualTo((0, false)), "failing, but not restarted while the dump reads from it");
            Assert.That(_logs.WithEvent("restart_skipped").Select(e => e.Message), Has.Some.Contains("backup_running:sims-db"));
            Assert.That(_target.Restarts, Is.EqualTo(1), "restarted once the dump ended, still failing");
        });
    }

    [Test]
    public async Task Step_PauseDuringBackupsNamesTheRunningJob_NoRestart()
    {
        var activity = new OpsAgent.Core.Maintenance.BackupActivity();
        _supervisor = new ProbeSupervisor(_store, _pauses, _target, SecretRedactor.Shared, _clock, _loggers.CreateLogger<ProbeSupervisor>(), _stopped, activity);
        var options = Backend();
        options.PauseDuringBackups = ["ujmp-db"];
        using var dump = activity.Begin("ujmp-db", null);
        using var other = activity.Begin("ujmp-media", null);

        for (var i = 0; i < 6; i++)
        {
            await StepAsync(options, Fail);
        }

        Assert.That(_target.Restarts, Is.Zero);
        Assert.That(_logs.WithEvent("restart_skipped").Select(e => e.Message), Has.Some.Contains("backup_running:ujmp-db"));
    }

    private sealed class FakeTarget : IRestartTarget, IRestartTargetFactory
    {
        public int Restarts { get; private set; }

        public string? Guard { get; set; }

        public bool Fail { get; set; }

        public string Log { get; set; } = "";

        public int LinesAsked { get; private set; }

        public string Description => "unit backend.service";

        public TimeSpan StopAllowance => TimeSpan.Zero;

        public IRestartTarget Create(RestartOptions options) => this;

        public Task<string?> ReasonToSkipAsync(Action<string> prepared, CancellationToken cancellationToken) => Task.FromResult(Guard);

        public Task RestartAsync(CancellationToken cancellationToken)
        {
            Restarts++;
            return Fail ? Task.FromException(new InvalidOperationException("Job for backend.service failed because the control process exited with error code.")) : Task.CompletedTask;
        }

        public Task<string> CaptureLogsAsync(int lines, CancellationToken cancellationToken)
        {
            LinesAsked = lines;
            return Task.FromResult(Log);
        }
    }
}
