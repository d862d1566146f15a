using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Stops;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Maintenance;
using OpsAgent.Testing;
using static OpsAgent.Backups.Tests.Engines.FileTrees.FileTreeKit;

namespace OpsAgent.Backups.Tests.Engines.FileTrees;

/// <summary>A real Docker volume read at the mount point the Engine API reports, with the container that writes it stopped for the read.</summary>
[TestFixture]
[Platform("Linux")]
public sealed class VolumeBackupTests
{
    private DockerClient _docker = null!;
    private string _volume = null!;
    private string _container = null!;
    private string _mountpoint = null!;

    [OneTimeSetUp]
    public async Task CreateVolumeAndContainer()
    {
        _docker = new DockerClientConfiguration(new Uri(TestEnvironment.Require("OPSAGENT_TEST_DOCKER"))).CreateClient();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        _volume = "opsagent-media-" + suffix;
        _container = "opsagent-backend-" + suffix;
        var volume = await _docker.Volumes.CreateAsync(new VolumesCreateParameters { Name = _volume, Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" } });
        _mountpoint = volume.Mountpoint;
        // PID 1 ignores SIGTERM, as many application images' shells do: only the stop timeout's SIGKILL ends it.
        await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = TestEnvironment.Require("OPSAGENT_TEST_IMAGE"),
            Name = _container,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none", Binds = [$"{_volume}:/media"] },
            Cmd = ["sh", "-c", "trap '' TERM; mkdir -p /media/uploads; i=0; while true; do i=$((i+1)); echo $i > /media/uploads/counter; sleep 0.2; done"],
        });
        await _docker.Containers.StartContainerAsync(_container, new ContainerStartParameters());
        Sh($"mkdir -p '{_mountpoint}/avatars' && for i in $(seq 1 300); do head -c 2000 /dev/urandom > '{_mountpoint}/avatars/a'$i.png; done && chown -R 1000:1000 '{_mountpoint}/avatars'");
    }

    [OneTimeTearDown]
    public async Task RemoveThem()
    {
        await _docker.Containers.RemoveContainerAsync(_container, new ContainerRemoveParameters { Force = true });
        await _docker.Volumes.RemoveAsync(_volume, force: true);
        _docker.Dispose();
    }

    private async Task<ContainerInspectResponse> InspectAsync() => await _docker.Containers.InspectContainerAsync(_container);

    [Test]
    public async Task Run_VolumeWithStopContainers_ArchivedWhileStoppedStartedAgainAndRestoresIdentical()
    {
        using var services = Services();
        using var kit = new BackupTestKit(engines: services.GetRequiredService<BackupEngines>());
        var (job, errors) = Load(services, kit.Directory, $$"""
            "Volume": "{{_volume}}", "StopContainers": [ "{{_container}}" ], "StopTimeout": "00:00:02"
            """);
        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        var startedBefore = (await InspectAsync()).State.StartedAt;

        var result = await kit.Runner.RunAsync(kit.Request("media", job!), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.True, result.Message);
        var after = await InspectAsync();
        Assert.That(after.State.Running, Is.True, "started again after the read");
        Assert.That(after.State.StartedAt, Is.Not.EqualTo(startedBefore), "it was really stopped for the read");
        var facts = BackupMetadata.TryRead(result.File!.Path + ".json")!.Facts!;
        Assert.That(facts["containersStopped"][0].GetString(), Is.EqualTo(_container));
        Assert.That(facts["downSeconds"].GetDouble(), Is.GreaterThan(0));
        Assert.That(facts["volume"].GetString(), Is.EqualTo(_volume));
        var record = new StoppedServicesStore(TimeProvider.System).Read(Path.Combine(kit.Directory, ".state")).Single();
        Assert.That((record.Target, record.StartedAt is not null), Is.EqualTo(($"container {_container}", true)), "held for its probes while it comes up, marked started");

        // The counter the container writes is frozen in the archive; compare the rest of the tree with what is on disk now.
        var restore = Path.Combine(kit.Directory, "restored");
        var restored = await kit.Restorer.RestoreIntoAsync("media", job!, result.File.Path, RestoreTarget.IntoDirectory(restore), kit.Directory, null, TestContext.CurrentContext.CancellationToken);
        Assert.That(restored.Success, Is.True, restored.Message);
        Sh($"diff -r --no-dereference -x counter '{_mountpoint}' '{restore}'");
        Assert.That(Listing(restore).Where(l => !l.Contains("counter", StringComparison.Ordinal)), Is.EqualTo(Listing(_mountpoint).Where(l => !l.Contains("counter", StringComparison.Ordinal))));
        Assert.That(File.Exists(Path.Combine(restore, "uploads", "counter")), Is.True);
    }

    [Test]
    public async Task Run_VolumeMissing_FailsVolumeMissingNamingIt()
    {
        using var services = Services();
        using var kit = new BackupTestKit(engines: services.GetRequiredService<BackupEngines>());
        var (job, _) = Load(services, kit.Directory, """ "Volume": "opsagent-no-such-volume" """);

        var result = await kit.Runner.RunAsync(kit.Request("media", job!), null, TestContext.CurrentContext.CancellationToken);

        Assert.That((result.Success, result.Reason), Is.EqualTo((false, BackupReasons.VolumeMissing)));
        Assert.That(result.Message, Does.Contain("opsagent-no-such-volume"));
    }

    [Test]
    public async Task Recover_ContainerLeftStoppedByAKilledAgent_StartedBeforeAnythingElse()
    {
        using var services = Services();
        var state = Directory.CreateTempSubdirectory("opsagent-stopped-").FullName;
        try
        {
            await _docker.Containers.StopContainerAsync(_container, new ContainerStopParameters { WaitBeforeKillSeconds = 1 });
            // What a run writes before it stops the container; the agent that wrote it (pid 0: none alive) was killed with -9.
            var store = services.GetRequiredService<StoppedServicesStore>();
            store.Add(state, new StoppedService($"container {_container}", "media", "backup", DateTimeOffset.UtcNow) { ProcessId = 0 });

            await services.GetRequiredService<ServiceStopper>().RecoverAsync(state, TestContext.CurrentContext.CancellationToken);

            Assert.That((await InspectAsync()).State.Running, Is.True);
            Assert.That(store.Read(state).Single().StartedAt, Is.Not.Null);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
            if (!(await InspectAsync()).State.Running)
            {
                await _docker.Containers.StartContainerAsync(_container, new ContainerStartParameters());
            }
        }
    }
}
