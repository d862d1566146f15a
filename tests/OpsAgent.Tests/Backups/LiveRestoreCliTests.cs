using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Npgsql;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Backups;

/// <summary>
/// <c>backup restore JOB --yes</c> over a running application, as seed 001's restore_db.sh does it by hand: the
/// application's container (whose PID 1 ignores SIGTERM) serving HTTP and the application's own non-superuser role holding
/// a session on its database, a pre-restore backup, the After command, the probe that proves it is back.
/// </summary>
[NonParallelizable]
[Platform("Linux")]
public sealed class LiveRestoreCliTests
{
    private static readonly TimeSpan Verb = TimeSpan.FromMinutes(3);

    private DockerClient _docker = null!;
    private DirectoryInfo _dir = null!;
    private string _database = null!;
    private string _role = null!;
    private string _container = null!;
    private int _port;

    private static string Pg => TestEnvironment.Require("OPSAGENT_TEST_PG");

    private const string Password = "app-Pw-5519";

    private string AppConnection => new NpgsqlConnectionStringBuilder(Pg) { Database = _database, Username = _role, Password = Password }.ConnectionString;

    // The restore ends the role's other sessions: the test's own must not come from a pool of ended ones.
    private string TestConnection => new NpgsqlConnectionStringBuilder(AppConnection) { Pooling = false }.ConnectionString;

    [SetUp]
    public async Task StartApplication()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        _dir = Directory.CreateTempSubdirectory("opsagent-live-restore-");
        _database = "opsagent_live_" + suffix;
        _role = "opsagent_app_" + suffix;
        await SqlAsync(Pg, "postgres", $"create role {_role} login password '{Password}' nosuperuser nocreatedb");
        await SqlAsync(Pg, "postgres", $"create database {_database} owner {_role}");
        await SqlAsync(TestConnection, _database, "create table orders (id int primary key, body text); insert into orders select g, md5(g::text) from generate_series(1, 5000) g");

        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            _port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        _docker = new DockerClientConfiguration(new Uri(TestEnvironment.Require("OPSAGENT_TEST_DOCKER"))).CreateClient();
        _container = "opsagent-live-" + suffix;
        // sh is PID 1 and ignores SIGTERM, as most images' shell-form CMD: only the stop timeout's SIGKILL ends it.
        await _docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = TestEnvironment.Require("OPSAGENT_TEST_IMAGE"),
            Name = _container,
            Labels = new Dictionary<string, string> { ["opsagent-test"] = "1" },
            HostConfig = new HostConfig { NetworkMode = "host" },
            Cmd = ["sh", "-c", $"trap '' TERM; mkdir -p /www && echo ok > /www/health && httpd -f -p 127.0.0.1:{_port} -h /www"],
        });
        await _docker.Containers.StartContainerAsync(_container, new ContainerStartParameters());
    }

    [TearDown]
    public async Task RemoveApplication()
    {
        await _docker.Containers.RemoveContainerAsync(_container, new ContainerRemoveParameters { Force = true });
        _docker.Dispose();
        await SqlAsync(Pg, "postgres", $"drop database if exists {_database} with (force)");
        await SqlAsync(Pg, "postgres", $"drop role if exists {_role}");
        _dir.Delete(recursive: true);
    }

    private string WriteConfig(string after, string? verifyProbe = "app")
    {
        var path = Path.Combine(_dir.FullName, "appsettings.json");
        File.WriteAllText(path, $$"""
            {
              "OpsAgent": {
                "StateDirectory": "{{Path.Combine(_dir.FullName, "state")}}",
                "Control": { "Socket": "" },
                "Docker": { "Endpoint": "{{TestEnvironment.Require("OPSAGENT_TEST_DOCKER")}}" },
                "Logging": { "Journald": { "SocketPath": "{{Path.Combine(_dir.FullName, "no-journal.sock")}}" } },
                "Probes": {
                  "app": { "Type": "http", "Url": "http://127.0.0.1:{{_port}}/health", "Every": "1s", "Timeout": "1s" }
                },
                "Backups": {
                  "app-db": {
                    "Engine": "postgres", "Schedule": "0 2 * * *", "CatchUp": false,
                    "Connection": "{{AppConnection}}",
                    "Directory": "{{Path.Combine(_dir.FullName, "backups")}}",
                    "Retention": { "KeepLast": 1 },
                    "Restore": {
                      "Stop": [ { "Container": "{{_container}}" } ], "StopTimeout": "00:00:02",
                      "After": [ {{after}} ],
                      "VerifyProbes": [ {{(verifyProbe is null ? "" : $"\"{verifyProbe}\"")}} ], "VerifyTimeout": "00:00:30"
                    }
                  }
                }
              }
            }
            """);
        return path;
    }

    /// <summary>An After command as the JSON string it is configured as: psql as the application's role.</summary>
    private string Psql(string sql)
    {
        var b = new NpgsqlConnectionStringBuilder(Pg);
        return $"\"psql postgresql://{_role}:{Password}@{b.Host}:{b.Port}/{_database} -v ON_ERROR_STOP=1 -qc '{sql}'\"";
    }

    private async Task<long> CountAsync() => await ScalarAsync<long>("select count(*) from orders");

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(TestConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task<DateTime> StartedAtAsync()
    {
        var state = (await _docker.Containers.InspectContainerAsync(_container)).State;
        Assert.That(state.Running, Is.True, $"{_container} is running");
        return DateTime.Parse(state.StartedAt, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Test]
    public async Task Restore_OverLiveApplication_StopsSavesRestoresRunsAfterStartsAndProbes()
    {
        TestEnvironment.RequireOnPath("psql", "pg_dump", "pg_restore");
        var config = WriteConfig(Psql("create table after_marker as select now() as at"));
        var run = await AgentProcess.RunAsync(Verb, "backup", "run", "app-db", "--config", config);
        Assert.That(run.Exit, Is.Zero, run.All);
        await SqlAsync(TestConnection, _database, "delete from orders where id > 2000");
        var startedBefore = await StartedAtAsync();
        // The application's own session, idle in a transaction holding a lock on the table the restore drops.
        await using var held = new NpgsqlConnection(TestConnection);
        await held.OpenAsync();
        await using (var begin = new NpgsqlCommand("begin; lock table orders in access share mode", held))
        {
            await begin.ExecuteNonQueryAsync();
        }

        var restore = await AgentProcess.RunAsync(Verb, "backup", "restore", "app-db", "--yes", "--config", config);

        Assert.That(restore.Exit, Is.Zero, restore.All);
        var lines = restore.Out.Split('\n');
        string[] steps = ["pre_restore_backup:", "stop:", "sessions:", "restore:", "after:", "start:", "verify:"];
        var at = steps.Select(s => Array.FindIndex(lines, l => l.StartsWith(s, StringComparison.Ordinal))).ToArray();
        Assert.That(at, Is.All.GreaterThanOrEqualTo(0), restore.Out);
        Assert.That(at, Is.Ordered, "the steps in their order: " + restore.Out);
        Assert.That(restore.Out, Does.Contain("ended 1 other session(s)"));
        Assert.That(await CountAsync(), Is.EqualTo(5000), "the backup's rows are back");
        Assert.That(await ScalarAsync<long>("select count(*) from after_marker"), Is.EqualTo(1), "the After command ran once, after the restore");
        Assert.That(await StartedAtAsync(), Is.GreaterThan(startedBefore), "stopped for the restore and started again");
        Assert.That(restore.Out, Does.Contain("app: ok"), "its probe passed after the start");
        var pre = Directory.GetFiles(Path.Combine(_dir.FullName, "backups"), "app-db_*.dump.zst.json").Order(StringComparer.Ordinal).Last()[..^5];
        Assert.That(restore.Out, Does.Contain("pre-restore backup " + Path.GetFileName(pre)));
        Assert.That(Directory.GetFiles(Path.Combine(_dir.FullName, "backups"), "app-db_*.dump.zst"), Has.Length.EqualTo(2),
            "KeepLast 1, yet the pre-restore backup's retention kept the file being restored");
        Assert.That(Alive(held), Is.False, "the application's held session was ended");

        // The pre-restore backup is a real backup of what was there: restoring it gives the 2000 rows back.
        var back = await AgentProcess.RunAsync(Verb, "backup", "restore", "app-db", "--file", pre, "--yes", "--config", WriteConfig("", verifyProbe: null));
        Assert.That(back.Exit, Is.Zero, back.All);
        Assert.That(await CountAsync(), Is.EqualTo(2000));
    }

    private static bool Alive(NpgsqlConnection connection)
    {
        try
        {
            using var ping = new NpgsqlCommand("select 1", connection);
            ping.ExecuteScalar();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            return false;
        }
    }

    [Test]
    public async Task Restore_AfterCommandFails_ApplicationStartedAgainAndTheWayBackPrinted()
    {
        TestEnvironment.RequireOnPath("psql", "pg_dump", "pg_restore");
        var config = WriteConfig(Psql("select no_such_function()"));
        var run = await AgentProcess.RunAsync(Verb, "backup", "run", "app-db", "--config", config);
        Assert.That(run.Exit, Is.Zero, run.All);
        await SqlAsync(TestConnection, _database, "delete from orders where id > 3000");
        var startedBefore = await StartedAtAsync();

        var restore = await AgentProcess.RunAsync(Verb, "backup", "restore", "app-db", "--yes", "--config", config);

        Assert.That(restore.Exit, Is.EqualTo(1), restore.All);
        Assert.That(restore.Out, Does.Contain("restore failed at after (tool_failed)").And.Contain("no_such_function"));
        Assert.That(await StartedAtAsync(), Is.GreaterThan(startedBefore), "started again although a step failed");
        Assert.That(restore.Out, Does.Not.Contain("verify:"), "no probe verification after a failed step");
        var pre = Directory.GetFiles(Path.Combine(_dir.FullName, "backups"), "app-db_*.dump.zst.json").Order(StringComparer.Ordinal).Last()[..^5];
        Assert.That(restore.Out, Does.Contain($"to go back: opsagent backup restore app-db --file {pre} --yes"));
        Assert.That(restore.All, Does.Not.Contain(Password), "no secret printed");

        var back = await AgentProcess.RunAsync(Verb, "backup", "restore", "app-db", "--file", pre, "--yes", "--config", WriteConfig("", verifyProbe: null));
        Assert.That(back.Exit, Is.Zero, back.All);
        Assert.That(await CountAsync(), Is.EqualTo(3000), "the pre-restore backup holds what was there before");
    }

    [Test]
    public async Task Restore_StopFails_NothingRestoredAndTheDatabaseUntouched()
    {
        TestEnvironment.RequireOnPath("psql", "pg_dump", "pg_restore");
        var config = WriteConfig("");
        var run = await AgentProcess.RunAsync(Verb, "backup", "run", "app-db", "--config", config);
        Assert.That(run.Exit, Is.Zero, run.All);
        await SqlAsync(TestConnection, _database, "delete from orders where id > 1000");
        File.WriteAllText(config, File.ReadAllText(config).Replace($"\"Container\": \"{_container}\"", "\"Container\": \"opsagent-no-such-container\"", StringComparison.Ordinal));

        var restore = await AgentProcess.RunAsync(Verb, "backup", "restore", "app-db", "--yes", "--config", config);

        Assert.That(restore.Exit, Is.EqualTo(1), restore.All);
        Assert.That(restore.Out, Does.Contain("restore failed at stop").And.Contain("opsagent-no-such-container"));
        Assert.That(restore.Out, Does.Not.Contain("\nrestore:"), "the restore never began");
        Assert.That(await CountAsync(), Is.EqualTo(1000), "the database is as it was");
    }

    private static async Task SqlAsync(string connectionString, string database, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }
}
