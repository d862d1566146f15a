using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Backups.Engines.MongoDb;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Backups.Verification;
using OpsAgent.Core.Processes;
using SecretReference = OpsAgent.Core.Secrets.SecretReference;

namespace OpsAgent.Backups.Tests.Engines;

/// <summary>
/// In Container mode the check that a restore's target is empty runs in the container, with the URI meant for inside
/// it, as the restore does: from the host that URI (localhost:27017) names another server, or none.
/// </summary>
[NonParallelizable]
public sealed class MongoContainerCheckTests
{
    // Nothing listens on the host at this port; inside the container the fake mongosh answers for it.
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
        _container = "opsagent-mongo-check-" + Guid.NewGuid().ToString("N")[..8];
        await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Name = _container,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none" },
            Cmd = ["sh", "-c", "mkdir -p /tools /seen && exec sleep 3600"],
        });
        await _docker.Containers.StartContainerAsync(_container, new ContainerStartParameters());
        await Eventually.WaitAsync(() => ShAsync("test -d /seen"), "the container");
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

    // Stands in for mongosh, which cannot be installed here: records the URI it was given and answers as the check's script would.
    private async Task InstallFakeMongoshAsync(string answer)
    {
        var script = $"#!/bin/sh\nprintf '%s' \"$OPSAGENT_MONGO_URI\" > /seen/uri\necho \"$@\" > /seen/args\necho 'some banner line'\necho '{answer}'\n";
        Assert.That(await ShAsync($"printf '%s' '{script.Replace("'", "'\\''", StringComparison.Ordinal)}' > /tools/mongosh && chmod +x /tools/mongosh"), Is.True);
    }

    private BackupJobOptions Job => new()
    {
        Engine = "mongodb",
        Database = "innova_db",
        Container = _container,
        Settings = new MongoEngineOptions { MongodumpPath = "/tools/mongodump" },
        Connection = new SecretReference { Value = Uri },
    };

    private async Task<string> BackupFileAsync()
    {
        var path = Path.Combine(_kit.Directory, BackupFileNames.For("innova", DateTimeOffset.UnixEpoch, ".archive"));
        await File.WriteAllBytesAsync(path, MongoArchiveBuilder.Database("innova_db", 10, "users"));
        await File.WriteAllTextAsync(path + ".sha256", BackupVerifier.ChecksumLine(await BackupVerifier.HashFileAsync(path, CancellationToken.None), Path.GetFileName(path)));
        return path;
    }

    [Test]
    public async Task Restore_InContainerTargetHoldsCollections_CheckedInTheContainerAndRefused()
    {
        await InstallFakeMongoshAsync("opsagent-check: {\"ok\":1,\"databases\":[{\"name\":\"innova_copy\",\"collections\":[\"orders\",\"system.views\"]}]}");

        var result = await _kit.Restorer.RestoreAsync("innova", Job, await BackupFileAsync(), "innova_copy", _kit.Directory, null, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(result.Reason, Is.EqualTo("target_not_empty"), result.Message);
            Assert.That(result.Message, Does.Contain("'innova_copy' already holds 1 collection (orders)"));
            // The restore's own URI: no database (the check names it), the login where the tools log in.
            Assert.That(await OutputAsync("cat /seen/uri"), Is.EqualTo("mongodb://root:Secret-Pw-9931@127.0.0.1:27017/?authSource=admin"));
            Assert.That(await OutputAsync("cat /seen/args"), Does.Not.Contain("Secret-Pw"), "the password is not on mongosh's command line");
        });
    }

    [Test]
    public async Task Restore_InContainerUserMayNotReadTheTarget_NotAuthorized()
    {
        await InstallFakeMongoshAsync("opsagent-check: {\"ok\":0,\"code\":13,\"message\":\"not authorized on innova_copy to execute command\"}");

        var result = await _kit.Restorer.RestoreAsync("innova", Job, await BackupFileAsync(), "innova_copy", _kit.Directory, null, CancellationToken.None);

        Assert.That(result.Reason, Is.EqualTo("not_authorized"), result.Message);
        Assert.That(result.Message, Does.Contain("not authorized on innova_copy"));
    }

    [Test]
    public async Task Restore_InContainerWithoutMongosh_ToolMissingSayingWhy()
    {
        var result = await _kit.Restorer.RestoreAsync("innova", Job, await BackupFileAsync(), "innova_copy", _kit.Directory, null, CancellationToken.None);

        Assert.That(result.Reason, Is.EqualTo("tool_missing"), result.Message);
        Assert.That(result.Message, Does.Contain("mongosh").And.Contain(_container).And.Contain("--clean"));
    }

    private async Task<bool> ShAsync(string script)
        => (await _kit.Tools.RunAsync(new ToolCommand("sh", ["-c", script]) { Container = _container }, CancellationToken.None)).Exit.ExitCode == 0;

    private async Task<string> OutputAsync(string script)
        => (await _kit.Tools.RunAsync(new ToolCommand("sh", ["-c", script]) { Container = _container }, CancellationToken.None)).Output;
}
