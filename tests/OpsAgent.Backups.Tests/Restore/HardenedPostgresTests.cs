using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Processes;
using SecretReference = OpsAgent.Core.Secrets.SecretReference;

namespace OpsAgent.Backups.Tests.Restore;

/// <summary>
/// Restores as the application's own role into a server hardened with <c>REVOKE CONNECT ON DATABASE postgres FROM PUBLIC</c>,
/// on the host (TCP) and in the database's container (its socket).
/// </summary>
/// <remarks>
/// The server is PostgreSQL in the Debian test image on the host's network, on a port of its own: the hardening stays
/// on a server no other test (or other checkout's run) shares, so nothing has to be granted back.
/// </remarks>
// Real dumps and engines: a call that blocks (a tool or an exec that never ends) fails the test instead of hanging the run.
[NonParallelizable]
[CancelAfter(600_000)]
public sealed class HardenedPostgresTests
{
    private const string Owner = "app_owner";
    private const string Creator = "app_creator";
    private DockerClient _docker = null!;
    private string _container = null!;
    private int _port;
    private BackupTestKit _admin = null!;
    private BackupTestKit _kit = null!;

    [OneTimeSetUp]
    public async Task StartHardenedPostgres()
    {
        _docker = new DockerClientConfiguration(new Uri(TestEnvironment.Require("OPSAGENT_TEST_DOCKER"))).CreateClient();
        _port = FreePort();
        _container = "opsagent-pg-hardened-" + Guid.NewGuid().ToString("N")[..8];
        await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = TestEnvironment.Require("OPSAGENT_TEST_DEBIAN_IMAGE"),
            Name = _container,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "host" },
            // The port goes in postgresql.conf: pg_ctlcluster checks the start on the configured port, not on one given with -o.
            Cmd = ["sh", "-c", $"sed -i 's/peer/trust/;s/scram-sha-256/trust/' /etc/postgresql/*/main/pg_hba.conf && sed -i \"s/^port = .*/port = {_port}/;\\$a listen_addresses = '127.0.0.1'\" /etc/postgresql/*/main/postgresql.conf && pg_ctlcluster $(ls /usr/lib/postgresql) main start && exec sleep infinity"],
        });
        await _docker.Containers.StartContainerAsync(_container, new ContainerStartParameters());
        _admin = new BackupTestKit();
        await Eventually.WaitAsync(async () => (await PsqlAsync("postgres", "select 1")).Exit == 0, "PostgreSQL in the container", Eventually.Slow);
        await SuperuserAsync("postgres", $"""
            create role {Owner} login nosuperuser nocreatedb nocreaterole;
            create role {Creator} login nosuperuser createdb nocreaterole;
            revoke connect on database postgres from public;
            """);
    }

    [OneTimeTearDown]
    public async Task RemoveContainer()
    {
        _admin?.Dispose();
        if (_container is not null)
        {
            await _docker.Containers.RemoveContainerAsync(_container, new ContainerRemoveParameters { Force = true });
        }

        _docker?.Dispose();
    }

    /// <summary>A directory of its own per test: two backups of one job in one second would collide.</summary>
    [SetUp]
    public void SetUp() => _kit = new BackupTestKit();

    [TearDown]
    public void TearDown() => _kit.Dispose();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<(long Exit, string Output)> PsqlAsync(string database, string sql, string user = "postgres")
    {
        var (exit, output) = await _admin.Tools.RunAsync(
            new ToolCommand("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", "/var/run/postgresql", "-p", _port.ToString(CultureInfo.InvariantCulture), "-U", user, "-d", database, "-c", sql]) { Container = _container },
            TestContext.CurrentContext.CancellationToken);
        return (exit.ExitCode, exit.ExitCode == 0 ? output.Trim() : exit.StandardError);
    }

    private async Task SuperuserAsync(string database, string sql)
    {
        var (exit, output) = await PsqlAsync(database, sql);
        Assert.That(exit, Is.Zero, output);
    }

    private async Task<string> ScalarAsync(string database, string sql)
    {
        var (exit, output) = await PsqlAsync(database, sql);
        Assert.That(exit, Is.Zero, output);
        return output;
    }

    /// <summary>A database the role owns, seeded by the role itself.</summary>
    private async Task<string> ApplicationDatabaseAsync(string role, bool seeded = true)
    {
        var name = "app_" + Guid.NewGuid().ToString("N")[..8];
        await SuperuserAsync("postgres", $"create database {name} owner {role}");
        if (seeded)
        {
            var (exit, output) = await PsqlAsync(name, """
                create table orders (id int primary key, note text);
                insert into orders select g, md5(g::text) from generate_series(1, 500) g;
                """, role);
            Assert.That(exit, Is.Zero, output);
        }

        return name;
    }

    private BackupJobOptions Job(bool inContainer, string role, string database) => new()
    {
        Engine = "postgres",
        Container = inContainer ? _container : null,
        Directory = _kit.Directory,
        Connection = new SecretReference
        {
            Value = $"Host={(inContainer ? "/var/run/postgresql" : "127.0.0.1")};Port={_port};Username={role};Database={database}",
        },
    };

    private async Task<string> BackupAsync(BackupJobOptions job)
    {
        var backup = await _kit.Runner.RunAsync(_kit.Request("hardened", job), null, TestContext.CurrentContext.CancellationToken);
        Assert.That(backup.Success, Is.True, $"{backup.Reason}: {backup.Message}");
        return backup.File!.Path;
    }

    private Task<OpsAgent.Backups.Restore.RestoreResult> RestoreAsync(BackupJobOptions job, string file, string? to, bool clean = false)
        => _kit.Restorer.RestoreAsync("hardened", job, file, to, clean, _kit.Directory, null, TestContext.CurrentContext.CancellationToken);

    [Test]
    public async Task Setup_ApplicationRole_CannotConnectToPostgres()
    {
        var (exit, output) = await PsqlAsync("postgres", "select 1", Owner);

        Assert.That(exit, Is.Not.Zero);
        Assert.That(output, Does.Contain("permission denied for database \"postgres\""));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Restore_IntoExistingEmptyDatabase_Restores(bool inContainer)
    {
        var source = await ApplicationDatabaseAsync(Owner);
        var drill = await ApplicationDatabaseAsync(Owner, seeded: false);
        var job = Job(inContainer, Owner, source);
        var file = await BackupAsync(job);

        var restore = await RestoreAsync(job, file, drill);

        Assert.That(restore.Success, Is.True, $"{restore.Reason}: {restore.Message}");
        Assert.That(await ScalarAsync(drill, "select count(*) from orders"), Is.EqualTo("500"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Restore_WithCleanOverNonEmptyDatabase_Restores(bool inContainer)
    {
        var source = await ApplicationDatabaseAsync(Owner);
        var drill = await ApplicationDatabaseAsync(Owner);
        await PsqlAsync(drill, "insert into orders values (9999, 'only in the drill')", Owner);
        var job = Job(inContainer, Owner, source);
        var file = await BackupAsync(job);

        var restore = await RestoreAsync(job, file, drill, clean: true);

        Assert.That(restore.Success, Is.True, $"{restore.Reason}: {restore.Message}");
        Assert.That(await ScalarAsync(drill, "select count(*) from orders"), Is.EqualTo("500"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Restore_OverTheOriginal_ReplacesItsContents(bool inContainer)
    {
        var source = await ApplicationDatabaseAsync(Owner);
        var job = Job(inContainer, Owner, source);
        var file = await BackupAsync(job);
        await PsqlAsync(source, "delete from orders where id > 100", Owner);

        var restore = await RestoreAsync(job, file, null);

        Assert.That(restore.Success, Is.True, $"{restore.Reason}: {restore.Message}");
        Assert.That(await ScalarAsync(source, "select count(*) from orders"), Is.EqualTo("500"));
    }

    [TestCase(false, false)]
    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public async Task Restore_IntoMissingDatabaseWithCreatedb_CreatesItAndRestores(bool inContainer, bool clean)
    {
        var source = await ApplicationDatabaseAsync(Creator);
        var job = Job(inContainer, Creator, source);
        var file = await BackupAsync(job);
        var missing = "new_" + Guid.NewGuid().ToString("N")[..8];

        var restore = await RestoreAsync(job, file, missing, clean);

        Assert.That(restore.Success, Is.True, $"{restore.Reason}: {restore.Message}");
        Assert.That(await ScalarAsync(missing, "select count(*) from orders"), Is.EqualTo("500"));
    }

    [TestCase(false, false)]
    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public async Task Restore_IntoMissingDatabaseWithoutCreatedb_FailsNotAuthorized(bool inContainer, bool clean)
    {
        var source = await ApplicationDatabaseAsync(Owner);
        var job = Job(inContainer, Owner, source);
        var file = await BackupAsync(job);
        var missing = "new_" + Guid.NewGuid().ToString("N")[..8];

        var restore = await RestoreAsync(job, file, missing, clean);

        Assert.That(restore.Success, Is.False);
        Assert.That(restore.Reason, Is.EqualTo("not_authorized"), restore.Message);
        Assert.That(restore.Message, Does.Contain(missing).And.Contain("permission denied"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Restore_IntoDatabaseTheRoleMayNotConnectTo_FailsNotAuthorized(bool inContainer)
    {
        var source = await ApplicationDatabaseAsync(Owner);
        var job = Job(inContainer, Owner, source);
        var file = await BackupAsync(job);

        var restore = await RestoreAsync(job, file, "postgres", clean: true);

        Assert.That(restore.Success, Is.False);
        Assert.That(restore.Reason, Is.EqualTo("not_authorized"), restore.Message);
        Assert.That(restore.Message, Does.Contain("permission denied for database \"postgres\""));
    }
}
