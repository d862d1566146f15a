using OpsAgent.Testing;
using System.Globalization;
using Npgsql;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Backups;

/// <summary>Backups inside the running agent and through the real executable: start-up state, catch-up, crashes.</summary>
[NonParallelizable]
public sealed class BackupAgentTests
{
    private const string Password = "opsagent-test-Pw-7731";

    private static string Pg => TestEnvironment.Require("OPSAGENT_TEST_PG");

    private static async Task ExecAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Pg) { Database = database }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync();
    }

    private static string SyntheticBackup(string directory, string job, DateTimeOffset time)
    {
        var name = $"{job}_{time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.dump.zst";
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "synthetic");
        File.WriteAllText(path + ".sha256", $"00  {name}\n");
        File.WriteAllText(path + ".json", $$"""{"job":"{{job}}","engine":"postgres","tool":"pg_dump","format":"custom","compression":"zstd","sha256":"00","verified":true,"finished":"{{time.AddMinutes(1):O}}","durationSeconds":60}""");
        return name;
    }

    private static string Job(string name, string directory, string connection, bool catchUp, string schedule = "0 2 * * *")
        => $$"""
           "Backups": {
             "{{name}}": {
               "Engine": "postgres",
               "Schedule": "{{schedule}}",
               "Connection": "{{connection}}",
               "Directory": "{{directory}}",
               "CatchUp": {{(catchUp ? "true" : "false")}},
               "Retention": { "KeepLast": 5 }
             }
           }
           """;

    [Test]
    public async Task Start_ExistingBackupsAndStalePartial_ExportsStateFromDiskAndRemovesPartial()
    {
        var backups = Directory.CreateTempSubdirectory("opsagent-agent-backups-");
        var newest = new DateTimeOffset(2026, 11, 20, 2, 0, 0, TimeSpan.Zero);
        SyntheticBackup(backups.FullName, "db", newest.AddDays(-1));
        SyntheticBackup(backups.FullName, "db", newest);
        var partial = Path.Combine(backups.FullName, "db_20261121T020000Z.dump.zst.partial");
        File.WriteAllText(partial, "interrupted");

        await using var agent = await TestAgent.StartAsync(Job("db", backups.FullName, "Host=127.0.0.1;Port=1;Username=u;Password=not-used", catchUp: false));

        Assert.That(File.Exists(partial), Is.False, "stale partial removed at start");
        var metrics = await agent.MetricsAsync();
        var expected = newest.AddMinutes(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Assert.That(metrics, Does.Contain($"opsagent_backup_last_success_timestamp_seconds{{job=\"db\"}} {expected}"));
        Assert.That(metrics, Does.Contain("opsagent_backup_files{job=\"db\"} 2"));
        Assert.That(metrics, Does.Contain("opsagent_backup_runs_total{job=\"db\",result=\"failure\"} 0"));
        await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "backup_partial_removed" && e.GetValueOrDefault("OPSAGENT_JOB") == "db", "backup_partial_removed");
        backups.Delete(recursive: true);
    }

    [TestCase(new[] { "db", "old" }, new[] { "db" })]
    [TestCase(new[] { "old" }, new string[0])]
    public async Task Reload_JobRemoved_ItsSeriesAreNoLongerExported(string[] before, string[] after)
    {
        var backups = Directory.CreateTempSubdirectory("opsagent-agent-backups-");
        try
        {
            SyntheticBackup(backups.FullName, "db", new DateTimeOffset(2026, 11, 20, 2, 0, 0, TimeSpan.Zero));
            SyntheticBackup(backups.FullName, "old", new DateTimeOffset(2026, 11, 20, 3, 0, 0, TimeSpan.Zero));
            const string connection = "Host=127.0.0.1;Port=1;Username=u;Password=not-used";
            string Jobs(params string[] names) => $$"""
                "Backups": { {{string.Join(", ", names.Select(n => $$"""
                  "{{n}}": { "Engine": "postgres", "Schedule": "0 2 * * *", "Connection": "{{connection}}", "Directory": "{{backups.FullName}}", "CatchUp": false }
                  """))}} }
                """;
            await using var agent = await TestAgent.StartAsync(Jobs(before));
            Assert.That(await agent.MetricsAsync(), Does.Contain("opsagent_backup_files{job=\"old\"} 1"));

            await agent.WriteConfigAsync(Jobs(after));

            await Eventually.WaitAsync(async () => (await agent.StatusAsync()).Jobs.All(j => j.Name != "old"), "the job to leave /status");
            var metrics = await agent.MetricsAsync();
            Assert.That(metrics, Does.Not.Contain("job=\"old\""), "a removed job's series are dropped, not exported at 0");
            Assert.That(metrics.Contains("opsagent_backup_files{job=\"db\"} 1", StringComparison.Ordinal), Is.EqualTo(after.Contains("db")));
        }
        finally
        {
            backups.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Metrics_JobNotDueAndNoStartupService_BackupSeriesExported()
    {
        var backups = Directory.CreateTempSubdirectory("opsagent-agent-metrics-");
        try
        {
            // Not due before next New Year and BackupStartup left out: nothing of the capability is constructed but what
            // the metrics pipeline asks for.
            await using var agent = await TestAgent.StartAsync(Job("db", backups.FullName, "Host=127.0.0.1;Port=1;Username=u;Password=not-used", catchUp: false, schedule: "0 2 1 1 *"),
                configureServices: TestAgent.Without<global::OpsAgent.Backups.BackupStartup>);

            var metrics = await agent.MetricsAsync();
            Assert.That(metrics, Does.Contain("opsagent_backup_runs_total{job=\"db\",result=\"success\"} 0"));
            Assert.That(metrics, Does.Contain("opsagent_backup_files{job=\"db\"} 0"));
        }
        finally
        {
            backups.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Status_AgentStartedWithBackupsOnDisk_ShowsTheNewestAsLastSuccessNotNever()
    {
        var backups = Directory.CreateTempSubdirectory("opsagent-agent-status-");
        try
        {
            var newest = new DateTimeOffset(2026, 11, 20, 2, 0, 0, TimeSpan.Zero);
            SyntheticBackup(backups.FullName, "db", newest);

            await using var agent = await TestAgent.StartAsync(Job("db", backups.FullName, "Host=127.0.0.1;Port=1;Username=u;Password=not-used", catchUp: false));

            using var status = System.Text.Json.JsonDocument.Parse(await agent.Http.GetStringAsync(new Uri("status", UriKind.Relative)));
            var job = status.RootElement.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("name").GetString() == "db");
            Assert.That(job.GetProperty("lastResult").GetString(), Is.EqualTo("success"), job.ToString());
            Assert.That(job.GetProperty("lastSuccess").GetDateTimeOffset(), Is.EqualTo(newest.AddMinutes(1)));
            Assert.That(job.GetProperty("message").GetString(), Does.Contain("db_20261120T020000Z.dump.zst"));
        }
        finally
        {
            backups.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Start_NewestBackupOlderThanPreviousFire_CatchesUpOnceWithoutLeakingThePassword()
    {
        var database = "opsagent_catchup_" + Guid.NewGuid().ToString("N")[..6];
        await ExecAsync("postgres", $"create database {database}");
        var backups = Directory.CreateTempSubdirectory("opsagent-agent-catchup-");
        try
        {
            await ExecAsync(database, "create table t as select g from generate_series(1, 1000) g");
            var port = new NpgsqlConnectionStringBuilder(Pg).Port;
            var old = SyntheticBackup(backups.FullName, "nightly", DateTimeOffset.UtcNow.AddDays(-3));
            var connection = $"postgresql://postgres:{Password}@127.0.0.1:{port}/{database}";

            await using var agent = await TestAgent.StartAsync(Job("nightly", backups.FullName, connection, catchUp: true));

            await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") is "backup_succeeded" or "backup_failed", "the catch-up run", Eventually.Slow);
            var succeeded = agent.Journal.Entries.Single(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "backup_succeeded");
            Assert.That(succeeded["OPSAGENT_JOB"], Is.EqualTo("nightly"));
            Assert.That(agent.Journal.Entries.Count(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "backup_catch_up"), Is.EqualTo(1));
            var files = Directory.GetFiles(backups.FullName).Select(Path.GetFileName).ToList();
            Assert.That(files.Count(f => f!.EndsWith(".dump.zst", StringComparison.Ordinal)), Is.EqualTo(2), "the old backup and the catch-up");
            Assert.That(files, Does.Contain(old));

            var status = await agent.Http.GetStringAsync(new Uri("status", UriKind.Relative));
            Assert.That(status, Does.Contain("\"kind\": \"backup\"").And.Contain("\"lastResult\": \"success\""));
            Assert.That(status, Does.Not.Contain(Password));
            Assert.That(agent.Journal.AllText, Does.Not.Contain(Password));
            var metrics = await agent.MetricsAsync();
            Assert.That(metrics, Does.Contain("opsagent_backup_runs_total{job=\"nightly\",result=\"success\"} 1"));
            foreach (var sidecar in Directory.GetFiles(backups.FullName, "*.json"))
            {
                Assert.That(await File.ReadAllTextAsync(sidecar), Does.Not.Contain(Password));
            }
        }
        finally
        {
            await ExecAsync("postgres", $"drop database if exists {database} with (force)");
            backups.Delete(recursive: true);
        }
    }

    [Test]
    public async Task BackupRun_ProcessKilledMidDump_LeavesNoBackupAndNextStartRemovesThePartial()
    {
        var database = "opsagent_kill_" + Guid.NewGuid().ToString("N")[..6];
        await ExecAsync("postgres", $"create database {database}");
        var dir = Directory.CreateTempSubdirectory("opsagent-kill-");
        var backups = Path.Combine(dir.FullName, "backups");
        try
        {
            await ExecAsync(database, "create table big as select g, repeat(md5(g::text), 8) as body from generate_series(1, 300000) g");
            var port = new NpgsqlConnectionStringBuilder(Pg).Port;
            var config = Path.Combine(dir.FullName, "appsettings.json");
            await File.WriteAllTextAsync(config, TestAgent.Config(Path.Combine(dir.FullName, "no-journal.sock"),
                Job("killed", backups, $"Host=127.0.0.1;Port={port};Username=postgres;Password={Password};Database={database}", catchUp: false)));

            using var process = AgentProcess.Start("backup", "run", "killed", "--config", config);
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            string? partial = null;
            // Polled often: the dump is caught only while it is being written.
            await Eventually.WaitAsync(() => (partial = Directory.Exists(backups)
                    ? Directory.GetFiles(backups, "*.partial").FirstOrDefault(p => new FileInfo(p).Length > 0)
                    : null) is not null || process.HasExited,
                "the dump to be under way", interval: TimeSpan.FromMilliseconds(5));

            Assert.That(partial, Is.Not.Null, "the dump was under way");
            process.Kill(); // SIGKILL: no cleanup code runs
            await process.WaitForExitAsync();

            Assert.That(File.Exists(partial), Is.True);
            Assert.That(Directory.GetFiles(backups, "*.sha256"), Is.Empty, "nothing was published");
            var list = await AgentProcess.RunAsync("backup", "list", "killed", "--config", config);
            Assert.That(list.Out, Does.Contain("no backups"), "a partial is never counted as a backup");

            await using var agent = await TestAgent.StartAsync(Job("killed", backups, "Host=127.0.0.1;Port=1;Username=u;Password=x", catchUp: false));
            Assert.That(File.Exists(partial), Is.False, "the next start removes it");
        }
        finally
        {
            await ExecAsync("postgres", $"drop database if exists {database} with (force)");
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task CheckConfig_BadBackupSettings_ListsEveryErrorWithItsPath()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-backup-config-");
        var config = Path.Combine(dir.FullName, "appsettings.json");
        await File.WriteAllTextAsync(config, TestAgent.Config(Path.Combine(dir.FullName, "no-journal.sock"), """
            "Backups": {
              "MaxConcurrentBackups": 0,
              "Bad Name": { "Engine": "postgres", "Schedule": "0 2 * * *", "Connection": "Host=x", "Directory": "/tmp/x" },
              "db": { "Engine": "oracle", "Schedule": "61 * * * *", "Directory": "relative/dir", "Compression": "lz4", "Retention": { "KeepLast": -2, "KeepHourly": 3 } }
            }
            """));

        var (exit, output, _) = await AgentProcess.RunAsync("check-config", "--config", config);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("OpsAgent:Backups:MaxConcurrentBackups: must be at least 1"));
        Assert.That(output, Does.Contain("OpsAgent:Backups:Bad Name: names must match"));
        Assert.That(output, Does.Contain("OpsAgent:Backups:db:Engine: 'oracle' is not one of postgres, mongodb, files"));
        Assert.That(output, Does.Contain("OpsAgent:Backups:db:Schedule:"));
        Assert.That(output, Does.Contain("OpsAgent:Backups:db:Directory: 'relative/dir' must be an absolute path"));
        Assert.That(output, Does.Contain("OpsAgent:Backups:db:Compression: 'lz4' is not one of zstd, gzip, none"));
        Assert.That(output, Does.Contain("OpsAgent:Backups:db:Retention:KeepLast: must be -1 (unlimited), 0 (rule not set), or a positive count"));
        Assert.That(output, Does.Contain("OpsAgent:Backups:db:Retention:KeepHourly: unknown setting"));
        dir.Delete(recursive: true);
    }

    [Test]
    public async Task CheckConfig_ValidBackupJob_ShowsItWithNextFireTimes()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-backup-config-");
        var config = Path.Combine(dir.FullName, "appsettings.json");
        await File.WriteAllTextAsync(config, TestAgent.Config(Path.Combine(dir.FullName, "no-journal.sock"),
            Job("sims-db", "/var/backups/sims", "postgresql://app:hunter2-secret@db.internal/sims", catchUp: true)));

        var result = await AgentProcess.RunAsync("check-config", "--config", config);
        var (exit, output) = (result.Exit, result.Out);

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Match(@"backup\s+sims-db\s+0 2 \* \* \*\s+next: \d{4}-\d{2}-\d{2} 02:00:00"));
        Assert.That(output, Does.Contain("/var/backups/sims"));
        Assert.That(result.All, Does.Not.Contain("hunter2-secret"));
        dir.Delete(recursive: true);
    }
}
