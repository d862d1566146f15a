using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Backups.Drills;
using OpsAgent.Backups.Engines.MongoDb;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Processes;
using SecretReference = OpsAgent.Core.Secrets.SecretReference;

namespace OpsAgent.Backups.Tests.Drills;

/// <summary>
/// A MongoDB drill of a job in Container mode, end to end through the runner, the restorer and docker exec: the MongoDB
/// tools cannot be installed here, so the container's mongodump, mongorestore and mongosh are scripts that record what
/// they were asked and answer as the real ones do. The real tools run in <see cref="MongoDrillTests"/> (the workflow).
/// </summary>
[NonParallelizable]
public sealed class MongoDrillContainerTests
{
    private const string Uri = "mongodb://root:Secret-Pw-9931@127.0.0.1:27017";

    private BackupTestKit _kit = null!;
    private DockerClient _docker = null!;
    private string _container = null!;

    [SetUp]
    public async Task StartContainerAsync()
    {
        var image = TestEnvironment.Require("OPSAGENT_TEST_IMAGE");
        _docker = new DockerClientConfiguration(new System.Uri(TestEnvironment.Require("OPSAGENT_TEST_DOCKER"))).CreateClient();
        _kit = new BackupTestKit();
        _container = "opsagent-mongo-drill-" + Guid.NewGuid().ToString("N")[..8];
        await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Name = _container,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none" },
            Cmd = ["sh", "-c", "mkdir -p /tools /seen /answers && exec sleep 3600"],
        });
        await _docker.Containers.StartContainerAsync(_container, new ContainerStartParameters());
        await Eventually.WaitAsync(() => ShAsync("test -d /answers"), "the container");
        var archive = Convert.ToBase64String(MongoArchiveBuilder.Database("innova_db", 10, "users", "orders"));
        Assert.That(await ShAsync($$"""
            echo '{{archive}}' | base64 -d > /tools/archive
            printf '%s\n' '#!/bin/sh' '[ "$1" = --version ] && echo "mongodump version: 100.9.4" && exit 0' 'cat /tools/archive' > /tools/mongodump
            printf '%s\n' '#!/bin/sh' 'echo "$@" > /seen/restore-args' 'cat > /seen/restored' > /tools/mongorestore
            cat > /tools/mongosh <<'EOF'
            #!/bin/sh
            echo "${OPSAGENT_MONGO_OP:-collections} $OPSAGENT_MONGO_DATABASE" >> /seen/ops
            case "$OPSAGENT_MONGO_OP" in
              counts) echo "opsagent-check: $(cat /answers/counts)" ;;
              drop) echo 'opsagent-check: {"ok":1}' ;;
              *) echo "opsagent-check: {\"ok\":1,\"databases\":[{\"name\":\"$OPSAGENT_MONGO_DATABASE\",\"collections\":$(cat /answers/collections 2>/dev/null || echo '[]')}]}" ;;
            esac
            EOF
            chmod +x /tools/mongodump /tools/mongorestore /tools/mongosh
            """), Is.True);
    }

    [TearDown]
    public async Task RemoveContainerAsync()
    {
        if (_docker is not null)
        {
            await _docker.Containers.RemoveContainerAsync(_container, new ContainerRemoveParameters { Force = true });
            _docker.Dispose();
        }

        _kit?.Dispose();
    }

    private BackupJobOptions Job => new()
    {
        Engine = "mongodb",
        Database = "innova_db",
        Container = _container,
        Settings = new MongoEngineOptions { MongodumpPath = "/tools/mongodump" },
        Connection = new SecretReference { Value = Uri },
        Drill = new DrillOptions
        {
            Schedule = "0 4 1 */3 *",
            Checks = [new DrillCheckOptions { Collection = "users", AtLeast = 1 }, new DrillCheckOptions { Collection = "orders", AtLeast = 5 }],
        },
    };

    private async Task<DrillRunResult> DrillAfterABackupAsync()
    {
        var request = _kit.Request("innova", Job);
        var backup = await _kit.Runner.RunAsync(request, null, CancellationToken.None);
        Assert.That(backup.Success, Is.True, backup.Message);
        return await _kit.Drills.RunAsync(BackupTestKit.DrillRequest(request), null, CancellationToken.None);
    }

    [Test]
    public async Task Drill_InTheContainer_RestoresUnderTheScratchNameCountsInThereAndDropsIt()
    {
        await ShAsync("echo '{\"ok\":1,\"counts\":{\"users\":10,\"orders\":10}}' > /answers/counts");

        var result = await DrillAfterABackupAsync();

        Assert.That(result.Success, Is.True, $"{result.Reason}: {result.Message}");
        Assert.That(result.Scratch, Does.Match("^innova_db_drill_\\d{14}$"));
        Assert.That(result.Checks.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "1: documents in users = 10 (at least 1) ok",
            "2: documents in orders = 10 (at least 5) ok",
            "collections = 2 collections, 20 documents (at least one collection restored) ok",
        }));
        Assert.That(await OutputAsync("cat /seen/restore-args"), Does.Contain("--nsInclude=innova_db.*").And.Contain("--nsFrom=innova_db.*").And.Contain($"--nsTo={result.Scratch}.*").And.Contain("--stopOnError").And.Not.Contain("--drop"));
        Assert.That(await OutputAsync("cmp /seen/restored /tools/archive && echo same"), Does.Contain("same"), "the archive reached mongorestore whole");
        var ops = (await OutputAsync("cat /seen/ops")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(ops, Does.Contain($"counts {result.Scratch}").And.Contain($"drop {result.Scratch}"));
        Assert.That(ops.Where(o => !o.EndsWith(result.Scratch!, StringComparison.Ordinal)), Is.Empty, "nothing but the scratch database is asked about, nor dropped");
        Assert.That(DrillStateStore.Read(Path.Combine(_kit.Directory, ".state"), "innova").Counts, Is.EqualTo(new Dictionary<string, long> { ["users"] = 10, ["orders"] = 10 }));
    }

    [Test]
    public async Task Drill_CollectionMissingFromTheRestore_FailsItsCheckAndStillDropsTheScratch()
    {
        await ShAsync("echo '{\"ok\":1,\"counts\":{\"users\":10}}' > /answers/counts");

        var result = await DrillAfterABackupAsync();

        Assert.That((result.Success, result.Reason), Is.EqualTo((false, "check_failed:2")), result.Message);
        Assert.That(result.Checks[1].ToString(), Is.EqualTo("2: documents in orders = no such collection in the restored database (at least 5) FAILED"));
        Assert.That(await OutputAsync("cat /seen/ops"), Does.Contain($"drop {result.Scratch}"));
        Assert.That(_kit.Logs.WithEvent("drill_failed").Single().Message, Does.Contain("check_failed:2").And.Contain("removed"));
    }

    [Test]
    public async Task Drill_ScratchNameHoldsCollections_RefusedNothingRestoredNothingDropped()
    {
        await ShAsync("echo '[\"orders\"]' > /answers/collections");

        var result = await DrillAfterABackupAsync();

        Assert.That((result.Success, result.Reason, result.Scratch), Is.EqualTo((false, "scratch_exists", (string?)null)), result.Message);
        Assert.That(await ShAsync("test -e /seen/restore-args"), Is.False, "nothing restored");
        Assert.That(await OutputAsync("cat /seen/ops"), Does.Not.Contain("drop"));
    }

    private async Task<bool> ShAsync(string script)
        => (await _kit.Tools.RunAsync(new ToolCommand("sh", ["-c", script]) { Container = _container }, CancellationToken.None)).Exit.ExitCode == 0;

    private async Task<string> OutputAsync(string script)
        => (await _kit.Tools.RunAsync(new ToolCommand("sh", ["-c", script]) { Container = _container }, CancellationToken.None)).Output;
}
