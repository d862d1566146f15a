using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Health;

/// <summary>
/// Probes, restarts and backups of one daemon aware of each other, against containers of the real engine: no restart
/// of the container a dump reads, no dump of a database whose probe fails, and a backend held back while the database
/// it depends on is being restarted. The order of events is read from the daemon's journal.
/// </summary>
[NonParallelizable]
[CancelAfter(600_000)]
public sealed class CoordinationAgentTests
{
    private TestContainer _db = null!;

    [OneTimeSetUp]
    public async Task StartDatabaseContainer()
    {
        _db = await TestContainer.StartPostgresAsync("opsagent-coord-", healthy: true);
        await _db.ScalarAsync("postgres", "create database shop");
        // About 130 MB on disk, about 100 MB as pg_dump writes it: past every pipe and exec-stream buffer.
        await _db.ScalarAsync("shop", "create table orders (id int primary key, note text); insert into orders select g, md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text) from generate_series(1, 900000) g;");
        Assert.That(long.Parse(await _db.ScalarAsync("shop", "select pg_database_size('shop')"), System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(100_000_000));
    }

    [OneTimeTearDown]
    public async Task RemoveContainer()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }

    /// <summary>Every test leaves the database container running and healthy for the next.</summary>
    [TearDown]
    public async Task HealDatabase()
    {
        if (!(await _db.InspectAsync()).State.Running)
        {
            // Its start script marks it healthy once PostgreSQL is up; a touch from here could come first and be
            // followed by the script's own, after the next test removed the mark.
            await _db.Docker.Containers.StartContainerAsync(_db.Name, new Docker.DotNet.Models.ContainerStartParameters());
        }
        else
        {
            await _db.ExecAsync("touch", "/tmp/ok");
        }

        await _db.WaitHealthyAsync();
    }

    private string Backup(string job, string directory, string more = "") => $$"""
        "{{job}}": {
          "Engine": "postgres", "Schedule": "0 2 1 1 *", "CatchUp": false,
          "Container": "{{_db.Name}}", "Connection": "Host=/var/run/postgresql;Username=postgres;Database=shop",
          "Directory": "{{directory}}"{{more}}
        }
        """;

    private static string DockerProbe(string name, string container, string more = "") => $$"""
        "{{name}}": {
          "Type": "docker", "Container": "{{container}}", "Every": "1s", "Timeout": "1s", "FailureThreshold": 1{{more}}
        }
        """;

    private static string RestartOf(string container, int stopTimeoutSeconds) => $$"""
        , "Restart": { "Container": "{{container}}", "StopTimeoutSeconds": {{stopTimeoutSeconds}}, "MaxRestarts": 3, "Window": "1h",
                       "Backoff": { "Initial": "00:00:01", "Max": "00:00:02" }, "VerifyTimeout": "00:01:00" }
        """;

    private static Func<Dictionary<string, string>, bool> Event(string name, string probeOrJob)
        => e => e.GetValueOrDefault("OPSAGENT_EVENT") == name && (e.GetValueOrDefault("OPSAGENT_PROBE") ?? e.GetValueOrDefault("OPSAGENT_JOB")) == probeOrJob;

    /// <summary>The position of the first entry matching <paramref name="match"/> in the order the journal received them.</summary>
    private static int IndexOf(TestAgent agent, Func<Dictionary<string, string>, bool> match, string what)
    {
        var index = agent.Journal.Entries.ToList().FindIndex(e => match(e));
        Assert.That(index, Is.GreaterThanOrEqualTo(0), $"{what} is in the journal:\n{agent.Journal.AllText}");
        return index;
    }

    private static int ConsecutiveFailures(string metrics, string probe)
        => System.Text.RegularExpressions.Regex.Match(metrics, $"opsagent_probe_consecutive_failures\\{{probe=\"{probe}\"\\}} ([0-9]+)") is { Success: true } m
            ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    private static Task WaitHealthyAsync(TestAgent agent, string probe)
        => Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains($"opsagent_probe_healthy{{probe=\"{probe}\"}} 1", StringComparison.Ordinal), $"{probe} healthy", Eventually.Slow);

    [Test]
    public async Task Restart_ContainerProbeFailingDuringA100MBDumpFromIt_NoRestartUntilTheDumpEndsThenRestarted()
    {
        var backups = Directory.CreateTempSubdirectory("opsagent-coord-backups-");
        try
        {
            await using var agent = await TestAgent.StartAsync($$"""
                "Docker": { "Endpoint": "{{_db.Endpoint}}" },
                "Backups": { {{Backup("shop", backups.FullName)}} },
                "Probes": { {{DockerProbe("shop-db", _db.Name, RestartOf(_db.Name, 2))}} }
                """);
            await WaitHealthyAsync(agent, "shop-db");
            var startedAt = (await _db.InspectAsync()).State.StartedAt;

            // pg_dump's LOCK TABLE waits behind this session: the dump is mid-run for as long as the test needs.
            var holder = await _db.StartDetachedAsync("psql", "-X", "-h", "/var/run/postgresql", "-U", "postgres", "-d", "shop", "-c",
                "begin; lock table orders in access exclusive mode; select pg_sleep(3600);");
            await Eventually.WaitAsync(async () => await _db.ScalarAsync("shop", "select count(*) from pg_locks where relation = 'orders'::regclass and mode = 'AccessExclusiveLock' and granted") == "1", "the lock held");
            await agent.Scheduler.TriggerNowAsync(new Quartz.JobKey("shop", "backup"), CancellationToken.None);
            await Eventually.WaitAsync(async () => await _db.ScalarAsync("shop", "select count(*) from pg_stat_activity where application_name = 'pg_dump' and wait_event_type = 'Lock'") == "1",
                "pg_dump waiting on the lock", Eventually.Slow);

            Assert.That((await _db.ExecAsync("rm", "/tmp/ok")).Exit, Is.Zero);
            var skipped = await agent.Journal.WaitForAsync(Event("restart_skipped", "shop-db"), "restart_skipped while the dump runs", Eventually.Slow);
            Assert.That(skipped.GetValueOrDefault("OPSAGENT_REASON"), Is.EqualTo("backup_running:shop"), agent.Journal.AllText);
            // A few more failing runs, each held back: failures count, the container is left alone.
            await Eventually.WaitAsync(async () => ConsecutiveFailures(await agent.MetricsAsync(), "shop-db") >= 3, "three failing runs in a row", Eventually.Slow);
            Assert.That((await _db.InspectAsync()).State.StartedAt, Is.EqualTo(startedAt), "the container was not restarted while pg_dump read it");
            Assert.That(agent.Journal.Entries.Any(Event("restart_started", "shop-db")), Is.False, agent.Journal.AllText);

            await _db.PsqlAsync("postgres", "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(3600)%' and pid <> pg_backend_pid()");
            await _db.WaitForExecAsync(holder, "the lock holder's end");
            var succeeded = await agent.Journal.WaitForAsync(Event("backup_succeeded", "shop"), "the dump's end", TimeSpan.FromMinutes(5));
            await agent.Journal.WaitForAsync(Event("restart_started", "shop-db"), "the restart after the dump", Eventually.Slow);
            await agent.Journal.WaitForAsync(Event("probe_recovered", "shop-db"), "shop-db recovered", Eventually.Slow);

            var dump = Directory.GetFiles(backups.FullName, "shop_*.dump.zst").Single();
            Assert.Multiple(() =>
            {
                Assert.That(new FileInfo(dump).Length, Is.GreaterThan(20_000_000), "the whole dump, not a cut one");
                Assert.That(IndexOf(agent, Event("restart_skipped", "shop-db"), "restart_skipped"), Is.LessThan(IndexOf(agent, Event("backup_succeeded", "shop"), "backup_succeeded")));
                Assert.That(IndexOf(agent, Event("backup_succeeded", "shop"), "backup_succeeded"), Is.LessThan(IndexOf(agent, Event("restart_started", "shop-db"), "restart_started")),
                    "the restart came after the dump");
                Assert.That(agent.Journal.Entries.Count(Event("restart_started", "shop-db")), Is.EqualTo(1));
                Assert.That(succeeded.GetValueOrDefault("MESSAGE"), Does.Contain("shop"));
            });
            Assert.That((await _db.InspectAsync()).State.StartedAt, Is.Not.EqualTo(startedAt), "the engine restarted it after the dump");
        }
        finally
        {
            backups.Delete(recursive: true);
        }
    }

    [Test]
    public async Task RequireHealthy_DatabaseContainerStopped_BackupFailsDependencyFailingAndDumpsNothing()
    {
        var backups = Directory.CreateTempSubdirectory("opsagent-coord-guarded-");
        try
        {
            await using var agent = await TestAgent.StartAsync($$"""
                "Docker": { "Endpoint": "{{_db.Endpoint}}" },
                "Backups": { {{Backup("guarded", backups.FullName, ", \"RequireHealthy\": [ \"shop-db\" ], \"RequireHealthyWait\": \"00:00:05\"")}} },
                "Probes": { {{DockerProbe("shop-db", _db.Name)}} }
                """);
            await WaitHealthyAsync(agent, "shop-db");

            await _db.Docker.Containers.StopContainerAsync(_db.Name, new Docker.DotNet.Models.ContainerStopParameters { WaitBeforeKillSeconds = 2 });
            await agent.Journal.WaitForAsync(Event("probe_failing", "shop-db"), "shop-db failing", Eventually.Slow);
            await agent.Scheduler.TriggerNowAsync(new Quartz.JobKey("guarded", "backup"), CancellationToken.None);

            var failed = await agent.Journal.WaitForAsync(Event("backup_failed", "guarded"), "backup_failed", Eventually.Slow);
            Assert.Multiple(() =>
            {
                Assert.That(failed.GetValueOrDefault("OPSAGENT_REASON"), Is.EqualTo("dependency_failing:shop-db"), agent.Journal.AllText);
                Assert.That(failed.GetValueOrDefault("MESSAGE"), Does.Contain("shop-db"));
                Assert.That(agent.Journal.Entries.Any(Event("backup_started", "guarded")), Is.False, "no dump was started");
                Assert.That(Directory.GetFiles(backups.FullName), Is.Empty, "nothing written");
            });
        }
        finally
        {
            backups.Delete(recursive: true);
        }
    }

    [Test]
    public async Task DependsOn_DatabaseRestartedWhileTheBackendFails_BackendHeldBackThenRestartedOnceTheDatabaseIsHealthy()
    {
        await using var backend = await TestContainer.StartAsync("opsagent-coord-backend-", TestEnvironment.Require("OPSAGENT_TEST_IMAGE"),
            "touch /tmp/ok; while :; do sleep 1; done", healthy: true);
        await backend.WaitHealthyAsync();
        // The database's PID 1 ignores SIGTERM: its restart waits out the stop timeout, a window in which it is down.
        await using var agent = await TestAgent.StartAsync($$"""
            "Docker": { "Endpoint": "{{_db.Endpoint}}" },
            "Probes": {
              {{DockerProbe("shop-db", _db.Name, RestartOf(_db.Name, 8))}},
              {{DockerProbe("backend", backend.Name, ", \"DependsOn\": [ \"shop-db\" ]" + RestartOf(backend.Name, 2))}}
            }
            """);
        await WaitHealthyAsync(agent, "shop-db");
        await WaitHealthyAsync(agent, "backend");

        Assert.That((await _db.ExecAsync("rm", "/tmp/ok")).Exit, Is.Zero);
        await agent.Journal.WaitForAsync(Event("restart_started", "shop-db"), "the database's restart", Eventually.Slow);
        Assert.That((await backend.ExecAsync("rm", "/tmp/ok")).Exit, Is.Zero);

        var held = await agent.Journal.WaitForAsync(Event("restart_skipped", "backend"), "the backend held back", Eventually.Slow);
        Assert.That(held.GetValueOrDefault("OPSAGENT_REASON"), Is.EqualTo("dependency_failing:shop-db"), agent.Journal.AllText);
        await agent.Journal.WaitForAsync(Event("probe_recovered", "shop-db"), "the database recovered", Eventually.Slow);
        await agent.Journal.WaitForAsync(Event("restart_started", "backend"), "the backend's restart", Eventually.Slow);
        await agent.Journal.WaitForAsync(Event("probe_recovered", "backend"), "the backend recovered", Eventually.Slow);

        Assert.Multiple(() =>
        {
            var dbRestart = IndexOf(agent, Event("restart_started", "shop-db"), "the database's restart_started");
            var heldBack = IndexOf(agent, Event("restart_skipped", "backend"), "the backend's restart_skipped");
            var dbRecovered = IndexOf(agent, Event("probe_recovered", "shop-db"), "the database's probe_recovered");
            var backendRestart = IndexOf(agent, Event("restart_started", "backend"), "the backend's restart_started");
            Assert.That(dbRestart, Is.LessThan(heldBack));
            Assert.That(heldBack, Is.LessThan(dbRecovered));
            Assert.That(dbRecovered, Is.LessThan(backendRestart), "the backend was restarted only once the database was healthy");
            Assert.That(agent.Journal.Entries.Count(Event("restart_started", "backend")), Is.EqualTo(1));
            Assert.That(agent.Journal.Entries.Count(Event("restart_started", "shop-db")), Is.EqualTo(1));
        });
    }
}
