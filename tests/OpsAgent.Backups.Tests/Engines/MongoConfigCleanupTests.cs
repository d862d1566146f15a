using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Backups.Verification;
using OpsAgent.Core.Processes;
using SecretReference = OpsAgent.Core.Secrets.SecretReference;
using OpsAgent.Backups.Engines.MongoDb;

namespace OpsAgent.Backups.Tests.Engines;

/// <summary>The YAML holding the MongoDB password never outlives a run, on the host or in a container, even when the tool is killed.</summary>
[NonParallelizable]
public sealed class MongoConfigCleanupTests
{
    private const string Uri = "mongodb://root:Secret-Pw-9931@127.0.0.1:27017";

    // Stands in for the Database Tools, which cannot be installed here: it reads --config as they do (os.ReadFile), records
    // what it read, then blocks until killed, like a dump of a large database.
    private const string FakeTool = """
        #!/bin/sh
        [ "$1" = --version ] && { echo "fake version 0"; exit 0; }
        cat "${1#--config=}" > /seen/config
        echo "$@" > /seen/args
        exec sleep 600
        """;

    private BackupTestKit _kit = null!;

    [SetUp]
    public void CreateKit() => _kit = new BackupTestKit();

    [TearDown]
    public void DisposeKit() => _kit.Dispose();

    private async Task<string> BackupFileAsync()
    {
        var path = Path.Combine(_kit.Directory, BackupFileNames.For("innova", DateTimeOffset.UnixEpoch, ".archive"));
        var archive = MongoArchiveBuilder.Database("innova_db", 10, "users");
        await File.WriteAllBytesAsync(path, archive);
        await File.WriteAllTextAsync(path + ".sha256", BackupVerifier.ChecksumLine(await BackupVerifier.HashFileAsync(path, CancellationToken.None), Path.GetFileName(path)));
        return path;
    }

    [Test]
    public async Task Restore_OnTheHostToolCannotStart_ConfigurationFileDeleted()
    {
        var file = await BackupFileAsync();
        var job = new BackupJobOptions { Engine = "mongodb", Database = "innova_db", Settings = new MongoEngineOptions { MongodumpPath = "/nonexistent/mongodump" }, Connection = new SecretReference { Value = Uri } };

        var result = await _kit.Restorer.RestoreAsync("innova", job, file, "innova_copy", clean: true, _kit.Directory, null, CancellationToken.None);

        Assert.That(result.Reason, Is.EqualTo("tool_missing"), result.Message);
        var tmp = Path.Combine(_kit.Directory, "tmp");
        Assert.That(Directory.Exists(tmp) ? Directory.GetFileSystemEntries(tmp, "*", SearchOption.AllDirectories) : [], Is.Empty, "the YAML with the password is gone");
    }

    [Test]
    public async Task DumpAndRestore_InAContainerKilledMidRun_NoConfigurationLeftInTheContainer()
    {
        var image = TestEnvironment.Require("OPSAGENT_TEST_IMAGE");
        using var docker = new DockerClientConfiguration(new System.Uri(TestEnvironment.Require("OPSAGENT_TEST_DOCKER"))).CreateClient();
        var name = "opsagent-mongo-wrapper-" + Guid.NewGuid().ToString("N")[..8];
        await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Name = name,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none" },
            Cmd = ["sh", "-c", $"mkdir -p /tools /seen && printf '%s\\n' '{FakeTool.Replace("'", "'\\''", StringComparison.Ordinal)}' > /tools/mongodump && cp /tools/mongodump /tools/mongorestore && chmod +x /tools/* && exec sleep 3600"],
        });
        try
        {
            await docker.Containers.StartContainerAsync(name, new ContainerStartParameters());
            var job = new BackupJobOptions { Engine = "mongodb", Database = "innova_db", Container = name, Settings = new MongoEngineOptions { MongodumpPath = "/tools/mongodump" }, Connection = new SecretReference { Value = Uri } };
            await Eventually.WaitAsync(() => ShAsync(name, "test -x /tools/mongorestore"), "the fake tools");

            using (var stop = new CancellationTokenSource())
            {
                var run = _kit.Runner.RunAsync(_kit.Request("innova", job), null, stop.Token);
                await Eventually.WaitAsync(() => ShAsync(name, "test -s /seen/config"), "mongodump to read its configuration");
                await stop.CancelAsync();
                Assert.That((await run).Reason, Is.EqualTo("cancelled"));
            }

            var dumpConfig = await OutputAsync(name, "cat /seen/config; rm /seen/config");
            var dumpArgs = await OutputAsync(name, "cat /seen/args");

            using (var stop = new CancellationTokenSource())
            {
                var restore = _kit.Restorer.RestoreAsync("innova", job, await BackupFileAsync(), "innova_copy", clean: true, _kit.Directory, null, stop.Token);
                await Eventually.WaitAsync(() => ShAsync(name, "test -s /seen/config"), "mongorestore to read its configuration");
                await stop.CancelAsync();
                Assert.That(async () => await restore, Throws.InstanceOf<OperationCanceledException>().Or.Property("Success").False);
            }

            Assert.Multiple(async () =>
            {
                Assert.That(dumpConfig, Is.EqualTo("uri: \"mongodb://root:Secret-Pw-9931@127.0.0.1:27017/innova_db?authSource=admin\"\n"));
                Assert.That(dumpArgs.Trim(), Is.EqualTo("--config=/dev/stdin --archive"));
                Assert.That(await OutputAsync(name, "cat /seen/config"), Is.EqualTo("uri: \"mongodb://root:Secret-Pw-9931@127.0.0.1:27017/?authSource=admin\"\n"));
                Assert.That(await OutputAsync(name, "cat /seen/args"), Does.StartWith("--config=/dev/fd/3 --archive --stopOnError --drop --nsInclude=innova_db.* --nsFrom=innova_db.* --nsTo=innova_copy.*"));
                Assert.That(await OutputAsync(name, "grep -rl Secret-Pw /tmp /root /tools /etc 2>/dev/null; true"), Is.Empty, "no file in the container holds the password");
            });
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true });
        }
    }

    private async Task<bool> ShAsync(string container, string script)
        => (await _kit.Tools.RunAsync(new ToolCommand("sh", ["-c", script]) { Container = container }, CancellationToken.None)).Exit.ExitCode == 0;

    private async Task<string> OutputAsync(string container, string script)
        => (await _kit.Tools.RunAsync(new ToolCommand("sh", ["-c", script]) { Container = container }, CancellationToken.None)).Output;

}
