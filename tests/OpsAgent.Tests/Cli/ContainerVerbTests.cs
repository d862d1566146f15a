using Docker.DotNet;
using Docker.DotNet.Models;
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
    private DockerClient _docker = null!;
    private string _container = null!;
    private DirectoryInfo _dir = null!;
    private string _config = null!;

    [OneTimeSetUp]
    public async Task StartPostgresContainer()
    {
        var endpoint = TestEnvironment.Require("OPSAGENT_TEST_DOCKER");
        var image = TestEnvironment.Require("OPSAGENT_TEST_DEBIAN_IMAGE");
        _docker = new DockerClientConfiguration(new Uri(endpoint)).CreateClient();
        _container = "opsagent-verbs-" + Guid.NewGuid().ToString("N")[..8];
        await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Name = _container,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none" },
            // Shell-form main process, as in the field: it ignores SIGTERM.
            Cmd = ["sh", "-c", "sed -i 's/peer/trust/;s/scram-sha-256/trust/' /etc/postgresql/*/main/pg_hba.conf && pg_ctlcluster $(ls /usr/lib/postgresql) main start && sleep infinity"],
        });
        await _docker.Containers.StartContainerAsync(_container, new ContainerStartParameters());
        await Eventually.WaitAsync(async () => (await PsqlAsync("postgres", "select 1")).Exit == 0, "PostgreSQL in the container", Eventually.Slow);
        var created = await PsqlAsync("postgres", "create database shop");
        Assert.That(created.Exit, Is.Zero, created.Output);
        var seeded = await PsqlAsync("shop", "create table orders (id int primary key, note text); insert into orders select g, md5(g::text) from generate_series(1, 3000) g;");
        Assert.That(seeded.Exit, Is.Zero, seeded.Output);

        _dir = Directory.CreateTempSubdirectory("opsagent-verbs-");
        _config = Path.Combine(_dir.FullName, "appsettings.json");
        await File.WriteAllTextAsync(_config, TestAgent.Config(Path.Combine(_dir.FullName, "no-journal.sock"), $$"""
            "Docker": { "Endpoint": "{{endpoint}}" },
            "Backups": {
              "shop": {
                "Engine": "postgres",
                "Schedule": "0 2 * * *",
                "Container": "{{_container}}",
                "Connection": "Host=/var/run/postgresql;Username=postgres;Database=shop",
                "Directory": "{{_dir.FullName}}/backups",
                "CatchUp": false
              }
            },
            "Probes": {
              "shop-container": { "Type": "docker", "Container": "{{_container}}", "Every": "1m" }
            }
            """, stateDirectory: $"{_dir.FullName}/state"));
    }

    [OneTimeTearDown]
    public async Task RemoveContainer()
    {
        if (_container is not null)
        {
            await _docker.Containers.RemoveContainerAsync(_container, new ContainerRemoveParameters { Force = true });
        }

        _docker?.Dispose();
        _dir?.Delete(recursive: true);
    }

    private async Task<(long Exit, string Output)> PsqlAsync(string database, string sql)
    {
        var exec = await _docker.Exec.ExecCreateContainerAsync(_container, new ContainerExecCreateParameters
        {
            AttachStdout = true,
            AttachStderr = true,
            Cmd = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-U", "postgres", "-d", database, "-c", sql],
        });
        using var stream = await _docker.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(CancellationToken.None);
        var inspect = await _docker.Exec.InspectContainerExecAsync(exec.ID);
        return (inspect.ExitCode, inspect.ExitCode == 0 ? stdout.Trim() : stderr);
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
        Assert.That((await PsqlAsync("shop_drill", "select count(*) from orders")).Output, Is.EqualTo("3000"));
    }

    [Test]
    public async Task ProbeRun_DockerProbe_ReportsTheContainerState()
    {
        var probe = await AgentProcess.RunAsync("probe", "run", "shop-container", "--config", _config);

        Assert.That(probe.All, Does.Not.Contain("has not been loaded"));
        Assert.That(probe.Exit, Is.Zero, probe.All);
    }
}
