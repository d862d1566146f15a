using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Cli;

/// <summary>
/// Every one-shot verb on a job whose tools run in a container, through the real executable and the real engine: the
/// verbs must reach the Docker endpoint of the configuration as the daemon does.
/// </summary>
[NonParallelizable]
public sealed class ContainerVerbTests
{
    private TestContainer _db = null!;
    private DirectoryInfo _dir = null!;
    private string _config = null!;

    [OneTimeSetUp]
    public async Task StartPostgresContainer()
    {
        _db = await TestContainer.StartPostgresAsync("opsagent-verbs-");
        var created = await _db.PsqlAsync("postgres", "create database shop");
        Assert.That(created.Exit, Is.Zero, created.Output);
        var seeded = await _db.PsqlAsync("shop", "create table orders (id int primary key, note text); insert into orders select g, md5(g::text) from generate_series(1, 3000) g;");
        Assert.That(seeded.Exit, Is.Zero, seeded.Output);

        _dir = Directory.CreateTempSubdirectory("opsagent-verbs-");
        _config = Path.Combine(_dir.FullName, "appsettings.json");
        await File.WriteAllTextAsync(_config, TestAgent.Config(Path.Combine(_dir.FullName, "no-journal.sock"), $$"""
            "Docker": { "Endpoint": "{{_db.Endpoint}}" },
            "Backups": {
              "shop": {
                "Engine": "postgres",
                "Schedule": "0 2 * * *",
                "Container": "{{_db.Name}}",
                "Connection": "Host=/var/run/postgresql;Username=postgres;Database=shop",
                "Directory": "{{_dir.FullName}}/backups",
                "CatchUp": false
              }
            },
            "Probes": {
              "shop-container": { "Type": "docker", "Container": "{{_db.Name}}", "Every": "1m" }
            }
            """, stateDirectory: $"{_dir.FullName}/state"));
    }

    [OneTimeTearDown]
    public async Task RemoveContainer()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }

        _dir?.Delete(recursive: true);
    }

    [Test]
    public async Task BackupVerbs_ContainerJob_RunListVerifyAndRestoreThroughTheEngine()
    {
        var run = await AgentProcess.RunAsync("backup", "run", "shop", "--config", _config);
        Assert.That(run.Exit, Is.Zero, run.All);
        Assert.That(run.Out, Does.Contain("backup shop ok:"));
        var file = Directory.GetFiles(Path.Combine(_dir.FullName, "backups"), "shop_*.dump.zst").Single();

        var list = await AgentProcess.RunAsync("backup", "list", "shop", "--config", _config);
        Assert.That(list.Exit, Is.Zero, list.All);
        Assert.That(list.Out, Does.Contain(Path.GetFileName(file)));

        var verify = await AgentProcess.RunAsync("backup", "verify", file);
        Assert.That(verify.Exit, Is.Zero, verify.All);
        Assert.That(verify.Out, Does.Contain(": ok ("));

        var restore = await AgentProcess.RunAsync("backup", "restore", "shop", "--to-database", "shop_drill", "--config", _config);
        Assert.That(restore.Exit, Is.Zero, restore.All);
        Assert.That(restore.Out, Does.Contain("into shop_drill"));
        Assert.That((await _db.PsqlAsync("shop_drill", "select count(*) from orders")).Output, Is.EqualTo("3000"));
    }

    [Test]
    public async Task ProbeRun_DockerProbe_ReportsTheContainerState()
    {
        var probe = await AgentProcess.RunAsync("probe", "run", "shop-container", "--config", _config);

        Assert.That(probe.All, Does.Not.Contain("has not been loaded"));
        Assert.That(probe.Exit, Is.Zero, probe.All);
    }
}
