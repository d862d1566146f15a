using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Processes;
using SecretReference = OpsAgent.Core.Secrets.SecretReference;
using OpsAgent.Backups.Engines.Postgres;

namespace OpsAgent.Backups.Tests.Engines;

/// <summary>pg_dump running inside a container (PostgreSQL in the Debian test image) through the real Docker engine's exec API.</summary>
// Real dumps and engines: a call that blocks (a tool or an exec that never ends) fails the test instead of hanging the run.
[NonParallelizable]
[CancelAfter(600_000)]
public sealed class ContainerBackupTests
{
    private DockerClient _docker = null!;
    private string _container = null!;
    private BackupTestKit _kit = null!;


    [OneTimeSetUp]
    public async Task StartPostgresContainer()
    {
        var image = TestEnvironment.Require("OPSAGENT_TEST_DEBIAN_IMAGE");
        _docker = new DockerClientConfiguration(new Uri(TestEnvironment.Require("OPSAGENT_TEST_DOCKER"))).CreateClient();
        var name = "opsagent-pg-" + Guid.NewGuid().ToString("N")[..8];
        var created = await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Name = name,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none" },
            Cmd = ["sh", "-c", "sed -i 's/peer/trust/;s/scram-sha-256/trust/' /etc/postgresql/*/main/pg_hba.conf && pg_ctlcluster $(ls /usr/lib/postgresql) main start && exec sleep infinity"],
        });
        _container = name;
        await _docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        _kit = new BackupTestKit();
        await Eventually.WaitAsync(async () => (await PsqlAsync("postgres", "select 1")).Exit == 0, "PostgreSQL in the container", Eventually.Slow);

        var (created2, error) = await PsqlAsync("postgres", "create database shop");
        Assert.That(created2, Is.Zero, error);
        var (seeded, seedError) = await PsqlAsync("shop", """
            create table products (id serial primary key, name text, price numeric(10,2));
            insert into products (name, price) select 'product ' || g, g * 1.5 from generate_series(1, 5000) g;
            create table blobs (id int primary key, data bytea);
            insert into blobs select g, decode(md5(g::text) || md5((g+1)::text), 'hex') from generate_series(1, 2000) g;
            """);
        Assert.That(seeded, Is.Zero, seedError);
    }

    [OneTimeTearDown]
    public async Task RemoveContainer()
    {
        _kit?.Dispose();
        if (_container is not null)
        {
            await _docker.Containers.RemoveContainerAsync(_container, new ContainerRemoveParameters { Force = true });
        }

        _docker?.Dispose();
    }

    private async Task<(long Exit, string Output)> PsqlAsync(string database, string sql)
    {
        var (exit, output) = await _kit.Tools.RunAsync(new ToolCommand("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-U", "postgres", "-d", database, "-c", sql]) { Container = _container }, TestContext.CurrentContext.CancellationToken);
        return (exit.ExitCode, exit.ExitCode == 0 ? output.Trim() : exit.StandardError);
    }

    private async Task<string> FingerprintAsync(string database)
    {
        var (exit, output) = await PsqlAsync(database,
            "select (select count(*) || ':' || md5(string_agg(p::text, ',' order by id)) from products p) || '/' || (select count(*) || ':' || md5(string_agg(b::text, ',' order by id)) from blobs b)");
        Assert.That(exit, Is.Zero, output);
        return output;
    }

    [Test]
    public async Task Run_InContainer_DumpsThroughExecAndRestoresIntoNewDatabase()
    {
        var job = new BackupJobOptions
        {
            Engine = "postgres",
            Container = _container,
            Connection = new SecretReference { Value = "Host=/var/run/postgresql;Username=postgres;Database=shop" },
        };

        var result = await _kit.Runner.RunAsync(_kit.Request("shop", job), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.True, result.Message);
        var metadata = BackupMetadata.TryRead(result.File!.MetadataPath)!;
        Assert.That(metadata.Container, Is.EqualTo(_container));
        Assert.That(metadata.ToolVersion, Does.StartWith("pg_dump (PostgreSQL) 15"));
        Assert.That(metadata.VerifiedBy, Does.Contain("pg_restore --list"), "pg_restore inside the container read the archive");

        var restore = await _kit.Restorer.RestoreAsync("shop", job, result.File.Path, "shop_copy", _kit.Directory, null, TestContext.CurrentContext.CancellationToken);

        Assert.That(restore.Success, Is.True, restore.Message);
        Assert.That(await FingerprintAsync("shop_copy"), Is.EqualTo(await FingerprintAsync("shop")));
        Assert.That(await FingerprintAsync("shop"), Does.StartWith("5000:"));
    }

    /// <remarks>
    /// At field sizes the exec's stdin outlives <c>pg_restore --list</c>, which reads only the table of contents: the
    /// engine stops reading what is still written to it, so a verification that keeps writing waits for the Timeout.
    /// </remarks>
    [Test]
    [CancelAfter(600_000)]
    public async Task Run_InContainerWithLargeDatabase_VerifiesPublishesAndItsDrillRestoresInsideTheContainer(CancellationToken cancellationToken)
    {
        var (created, error) = await PsqlAsync("postgres", "create database big");
        Assert.That(created, Is.Zero, error);
        // About 105 MB of random hex text (zstd keeps about half): the dump is far past any pipe or socket buffer.
        var payload = string.Join(" || ", Enumerable.Repeat("md5(random()::text)", 16));
        var (seeded, seedError) = await PsqlAsync("big", $"""
            create table events (id int primary key, payload text);
            insert into events select g, {payload} from generate_series(1, 200000) g;
            """);
        Assert.That(seeded, Is.Zero, seedError);
        var job = new BackupJobOptions
        {
            Engine = "postgres",
            Container = _container,
            Connection = new SecretReference { Value = "Host=/var/run/postgresql;Username=postgres;Database=big" },
            Timeout = TimeSpan.FromMinutes(4),
        };

        var result = await _kit.Runner.RunAsync(_kit.Request("big", job), null, cancellationToken);

        Assert.That(result.Success, Is.True, $"{result.Reason}: {result.Message}");
        var metadata = BackupMetadata.TryRead(result.File!.MetadataPath)!;
        TestContext.Out.WriteLine($"dump {metadata.UncompressedBytes} bytes, {metadata.SizeBytes} compressed, {metadata.DurationSeconds} s");
        Assert.That(metadata.UncompressedBytes, Is.GreaterThan(100L << 20), "the dump is past every buffer");
        Assert.That(metadata.VerifiedBy, Does.Contain("pg_restore --list"));

        // The drill restores inside the same container (the server is reachable only there) and drops its scratch there.
        job.Drill = new OpsAgent.Backups.Drills.DrillOptions
        {
            Schedule = "0 4 1 */3 *",
            Checks = [new OpsAgent.Backups.Drills.DrillCheckOptions { Query = "select count(*) from events", AtLeast = 200_000, AtMost = 200_000 }],
        };
        var drill = await _kit.Drills.RunAsync(BackupTestKit.DrillRequest(_kit.Request("big", job)), null, cancellationToken);

        Assert.That(drill.Success, Is.True, $"{drill.Reason}: {drill.Message}");
        Assert.That(drill.Checks[0].ToString(), Is.EqualTo("1: select count(*) from events = 200000 (between 200000 and 200000) ok"));
        Assert.That(drill.Checks[1].Name, Is.EqualTo("row_counts"));
        var (listed, databases) = await PsqlAsync("postgres", "select string_agg(datname, ',' order by datname) from pg_database");
        Assert.That(listed, Is.Zero, databases);
        Assert.That(databases.Split(','), Has.None.Contains("_drill_"), "the scratch database is gone from the container's server");
    }

    [Test]
    public async Task Run_InMissingContainer_FailsNamingTheContainer()
    {
        var job = new BackupJobOptions
        {
            Engine = "postgres",
            Container = "opsagent-no-such-container",
            Connection = new SecretReference { Value = "Host=/var/run/postgresql;Username=postgres;Database=shop" },
        };

        var result = await _kit.Runner.RunAsync(_kit.Request("gone", job), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.False);
        Assert.That(result.Reason, Is.EqualTo("container_missing"), result.Message);
        Assert.That(result.Message, Does.Contain("opsagent-no-such-container"));
        Assert.That(_kit.FilesInDirectory().Where(f => f.StartsWith("gone_", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task Run_InStoppedContainer_FailsContainerNotRunningWithTheEnginesWords()
    {
        var stopped = "opsagent-stopped-" + Guid.NewGuid().ToString("N")[..8];
        await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = TestEnvironment.Require("OPSAGENT_TEST_DEBIAN_IMAGE"),
            Name = stopped,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "none" },
            Cmd = ["true"],
        });
        try
        {
            var job = new BackupJobOptions
            {
                Engine = "postgres",
                Container = stopped,
                Connection = new SecretReference { Value = "Host=/var/run/postgresql;Username=postgres;Database=shop" },
            };

            var result = await _kit.Runner.RunAsync(_kit.Request("stopped", job), null, TestContext.CurrentContext.CancellationToken);

            Assert.That(result.Reason, Is.EqualTo("container_not_running"), result.Message);
            Assert.That(result.Message, Does.Contain("is not running"), "the engine's words");
        }
        finally
        {
            await _docker.Containers.RemoveContainerAsync(stopped, new ContainerRemoveParameters { Force = true });
        }
    }

    [Test]
    public async Task Run_DockerEndpointNotAnswering_FailsDockerUnreachable()
    {
        using var kit = new BackupTestKit(dockerEndpoint: "unix:///tmp/opsagent-no-such-docker.sock");
        var job = new BackupJobOptions
        {
            Engine = "postgres",
            Container = _container,
            Connection = new SecretReference { Value = "Host=/var/run/postgresql;Username=postgres;Database=shop" },
        };

        var result = await kit.Runner.RunAsync(kit.Request("nodocker", job), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Reason, Is.EqualTo("docker_unreachable"), result.Message);
        Assert.That(result.Message, Does.Contain("/tmp/opsagent-no-such-docker.sock"));
    }

    [Test]
    public async Task Run_ContainerClientOlderThanTheServer_FailsVersionMismatch()
    {
        // A pg_dump that reports an older major than the container's server, as an old client image beside a new database would.
        var (exit, error) = await ExecAsync("sh", "-c", "mkdir -p /opt/old && printf '#!/bin/sh\\necho \"pg_dump (PostgreSQL) 9.6.24\"\\n' > /opt/old/pg_dump && chmod +x /opt/old/pg_dump");
        Assert.That(exit, Is.Zero, error);
        var job = new BackupJobOptions
        {
            Engine = "postgres",
            Container = _container,
            Settings = new PostgresEngineOptions { PgDumpPath = "/opt/old/pg_dump" },
            Connection = new SecretReference { Value = "Host=/var/run/postgresql;Username=postgres;Database=shop" },
        };

        var result = await _kit.Runner.RunAsync(_kit.Request("oldclient", job), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Reason, Is.EqualTo("version_mismatch"), result.Message);
        Assert.That(result.Message, Does.Contain("9").And.Contain("15"));
    }

    private async Task<(long Exit, string Error)> ExecAsync(params string[] command)
    {
        var (exit, _) = await _kit.Tools.RunAsync(new ToolCommand(command[0], command[1..]) { Container = _container }, TestContext.CurrentContext.CancellationToken);
        return (exit.ExitCode, exit.StandardError);
    }

    [Test]
    public async Task Run_ToolFailsInContainer_StderrKeptOutOfTheFileAndRunFails()
    {
        var job = new BackupJobOptions
        {
            Engine = "postgres",
            Container = _container,
            Connection = new SecretReference { Value = "Host=/var/run/postgresql;Username=postgres;Database=no_such_db" },
        };

        var result = await _kit.Runner.RunAsync(_kit.Request("nodb", job), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.False);
        Assert.That(result.Reason, Is.EqualTo("tool_failed"));
        Assert.That(result.Message, Does.Contain("no_such_db"));
        Assert.That(_kit.FilesInDirectory().Where(f => f.StartsWith("nodb_", StringComparison.Ordinal)), Is.Empty, "no partial left");
    }
}
