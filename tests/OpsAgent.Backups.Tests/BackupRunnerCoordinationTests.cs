using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Maintenance;
using OpsAgent.Testing;
using static OpsAgent.Backups.Tests.Engines.FileTrees.FileTreeKit;

namespace OpsAgent.Backups.Tests;

/// <summary>A backup run and the probes: it waits for <c>RequireHealthy</c>, and a critical disk probe on its file system stops it before the tool.</summary>
public sealed class BackupRunnerCoordinationTests
{
    private DirectoryInfo _source = null!;

    [SetUp]
    public void SetUp()
    {
        _source = Directory.CreateTempSubdirectory("opsagent-coord-");
        File.WriteAllText(Path.Combine(_source.FullName, "a.txt"), "upload");
    }

    [TearDown]
    public void TearDown() => _source.Delete(recursive: true);

    private sealed class Probes : IProbeHealth
    {
        public bool Healthy { get; set; }

        public List<(string Probe, string Path, string Message)> Critical { get; } = [];

        public int Asked { get; private set; }

        public bool? IsHealthy(string probe)
        {
            Asked++;
            return probe == "sims-db" ? Healthy : null;
        }

        public IReadOnlyList<(string Probe, string Path, string Message)> CriticalDisks() => Critical;
    }

    private (BackupTestKit Kit, BackupRequest Request, ServiceProvider Services) Rig(Probes probes, TimeProvider? time, string members)
    {
        var services = Services();
        var kit = new BackupTestKit(time, engines: services.GetRequiredService<BackupEngines>(), probes: probes);
        var (job, errors) = Load(services, kit.Directory, $$"""
            "Paths": [ "{{_source.FullName}}" ], {{members}}
            """);
        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        return (kit, kit.Request("media", job!), services);
    }

    [Test]
    public async Task Run_RequiredProbeFailingPastTheWait_FailsDependencyFailingAndDumpsNothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var probes = new Probes { Healthy = false };
        var (kit, request, services) = Rig(probes, clock, """ "RequireHealthy": [ "sims-db" ], "RequireHealthyWait": "00:02:00" """);
        using var _ = kit;
        using var __ = services;

        var run = kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken);
        await Eventually.WaitAsync(() =>
        {
            clock.Advance(BackupRunner.HealthPoll);
            return Task.FromResult(run.IsCompleted);
        }, "the run to give up waiting", interval: TimeSpan.FromMilliseconds(20));
        var result = await run;

        Assert.Multiple(() =>
        {
            Assert.That((result.Success, result.Reason), Is.EqualTo((false, "dependency_failing:sims-db")), result.Message);
            Assert.That(result.Message, Does.Contain("was failing for 00:02:00"));
            Assert.That(probes.Asked, Is.GreaterThan(2), "it waited, asking again");
            Assert.That(kit.FilesInDirectory(), Is.Empty, "nothing was dumped");
            Assert.That(kit.Logs.WithEvent("backup_failed"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Run_RequiredProbeHealthyAgainWithinTheWait_Dumps()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var probes = new Probes { Healthy = false };
        var (kit, request, services) = Rig(probes, clock, """ "RequireHealthy": [ "sims-db" ] """);
        using var _ = kit;
        using var __ = services;

        var run = kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken);
        var polls = 0;
        await Eventually.WaitAsync(() =>
        {
            if (++polls == 3)
            {
                probes.Healthy = true;
            }

            clock.Advance(BackupRunner.HealthPoll);
            return Task.FromResult(run.IsCompleted);
        }, "the run to finish", interval: TimeSpan.FromMilliseconds(20));
        var result = await run;

        Assert.That(result.Success, Is.True, result.Message);
    }

    [Test]
    public async Task Run_DiskProbeCriticalForTheBackupFileSystem_FailsNoSpaceBeforeTheToolElsewhereRuns()
    {
        var probes = new Probes { Healthy = true };
        var (kit, request, services) = Rig(probes, null, "");
        using var _ = kit;
        using var __ = services;
        probes.Critical.Add(("root-disk", Path.GetDirectoryName(kit.Directory)!, "used_ratio 93% (critical ≥ 90%)"));

        var refused = await kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken);
        probes.Critical.Clear();
        probes.Critical.Add(("proc", "/proc", "another file system"));
        var elsewhere = await kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That((refused.Success, refused.Reason), Is.EqualTo((false, "no_space")), refused.Message);
            Assert.That(refused.Message, Does.Contain("the disk probe root-disk reports the file system of"));
            Assert.That(elsewhere.Success, Is.True, "a critical disk elsewhere does not stop it: " + elsewhere.Message);
        });
    }

    [Test]
    public async Task Run_SecondRunWithinTheSameSecond_WaitsForTheNextSecondAndBothAreKept()
    {
        // A backup run, then at once a restore's pre-restore backup: file names have whole seconds.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 2, 0, 0, 300, TimeSpan.Zero));
        var (kit, request, services) = Rig(new Probes { Healthy = true }, clock, "");
        using var _ = kit;
        using var __ = services;

        var first = await kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken);
        var second = kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken);
        await Eventually.WaitAsync(() =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            return Task.FromResult(second.IsCompleted);
        }, "the second run", interval: TimeSpan.FromMilliseconds(20));
        var result = await second;

        Assert.Multiple(() =>
        {
            Assert.That(first.Success, Is.True, first.Message);
            Assert.That(result.Success, Is.True, result.Message);
            Assert.That(kit.FilesInDirectory().Where(f => f.EndsWith(".tar.zst", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
                Is.EqualTo(new[] { "media_20261203T020000Z.tar.zst", "media_20261203T020001Z.tar.zst" }));
        });
    }
}
