using Npgsql;
using OpsAgent.Backups.Files;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Scheduling;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Control;

/// <summary>The CLI's verbs go through the running daemon's control socket: the work happens in the daemon, with its metrics and journal.</summary>
[NonParallelizable]
public sealed class ControlSocketTests
{
    private static string Pg => TestEnvironment.Require("OPSAGENT_TEST_PG");

    private static string BackupJob(string directory, string database = "postgres") => $$"""
        "Backups": {
          "db": {
            "Engine": "postgres",
            "Schedule": "0 2 * * *",
            "Connection": "{{new NpgsqlConnectionStringBuilder(Pg) { Database = database }.ConnectionString}}",
            "Directory": "{{directory}}",
            "CatchUp": false
          }
        }
        """;

    [Test]
    public async Task BackupRun_DaemonRunning_RunsInTheDaemonAndItsMetricsCountIt()
    {
        var backups = Directory.CreateTempSubdirectory("opsagent-control-");
        try
        {
            await using var agent = await TestAgent.StartAsync(BackupJob(backups.FullName));
            Assert.That(File.Exists(Path.Combine(agent.Directory.FullName, "control.sock")), Is.True, "the daemon listens on its control socket");

            var run = await AgentProcess.RunAsync("backup", "run", "db", "--config", agent.ConfigPath);

            Assert.That(run.Exit, Is.Zero, run.All);
            Assert.That(run.Out, Does.Contain("backup db ok:"));
            Assert.That(run.Err, Does.Not.Contain("running in this process"));
            Assert.That(await agent.MetricsAsync(), Does.Contain("opsagent_backup_runs_total{job=\"db\",result=\"success\"} 1"), "the daemon ran it");
            await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "backup_succeeded", "backup_succeeded in the daemon's journal");
        }
        finally
        {
            backups.Delete(recursive: true);
        }
    }

    [Test]
    public async Task BackupRun_DaemonRunningAndTheRunFails_StatusShowsTheFailureWithItsReasonAndExitsOne()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-control-");
        try
        {
            // A verified backup on disk first (no daemon yet): the daemon starts with it as the job's last success.
            var backups = Path.Combine(dir.FullName, "backups");
            var first = Path.Combine(dir.FullName, "first.json");
            await File.WriteAllTextAsync(first, TestAgent.Config(Path.Combine(dir.FullName, "journal.sock"), BackupJob(backups), stateDirectory: Path.Combine(dir.FullName, "state")));
            var seeded = await AgentProcess.RunAsync("backup", "run", "db", "--config", first);
            Assert.That(seeded.Exit, Is.Zero, seeded.All);

            await using var agent = await TestAgent.StartAsync(BackupJob(backups, database: "opsagent_no_such_database"));
            var before = await AgentProcess.RunAsync("status", "--config", agent.ConfigPath, "--url", agent.BaseUrl);
            Assert.That(before.Exit, Is.Zero, before.All);
            Assert.That(before.Out, Does.Contain("\tsuccess\t"), "the file found at start-up");

            var run = await AgentProcess.RunAsync("backup", "run", "db", "--config", agent.ConfigPath);
            Assert.That(run.Exit, Is.EqualTo(1), run.All);
            Assert.That(run.Err, Does.Not.Contain("running in this process"));
            var reason = run.Out.Split('(', ')')[1];

            var status = await AgentProcess.RunAsync("status", "--config", agent.ConfigPath, "--url", agent.BaseUrl);

            Assert.That(status.Exit, Is.EqualTo(1), status.All);
            Assert.That(status.Out, Does.Contain($"backup\tdb\t0 2 * * *\tfailure\t{reason}\t"));
            var job = (await agent.StatusAsync()).Jobs.Single(j => j.Name == "db");
            Assert.Multiple(() =>
            {
                Assert.That(job.LastResult, Is.EqualTo("failure"));
                Assert.That(job.Reason, Is.EqualTo(reason));
                Assert.That(job.Message, Does.Contain("opsagent_no_such_database"));
                Assert.That(job.Running, Is.False);
            });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task ProbeRun_DaemonRunsAnotherConfigurationFile_RunsTheGivenFileInProcessAndSaysSo()
    {
        // An operator trying a candidate file beside the running daemon (same default socket) asks about that file.
        await using var agent = await TestAgent.StartAsync();
        var candidate = Path.Combine(agent.Directory.FullName, "candidate", "appsettings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(candidate)!);
        await File.WriteAllTextAsync(candidate, TestAgent.Config(Path.Combine(agent.Directory.FullName, "journal.sock"), """
            "Probes": { "candidate": { "Type": "tcp", "Host": "127.0.0.1", "Port": 9, "Every": "00:01:00" } }
            """, stateDirectory: Path.Combine(agent.Directory.FullName, "candidate", "state")));

        var run = await AgentProcess.RunAsync("probe", "run", "nope", "--config", candidate);
        var reload = await AgentProcess.RunAsync("reload", "--config", candidate);
        var own = await AgentProcess.RunAsync("probe", "run", "nope", "--config", agent.ConfigPath);

        Assert.Multiple(() =>
        {
            Assert.That(run.Err, Does.Contain($"the daemon on {Path.Combine(agent.Directory.FullName, "control.sock")} runs {agent.ConfigPath}, not {candidate}: running in this process"), run.All);
            Assert.That(run.Out, Does.Contain("no probe 'nope' (configured: candidate)"), run.All);
            Assert.That((reload.Exit, reload.Err), Is.EqualTo((1, $"the daemon on {Path.Combine(agent.Directory.FullName, "control.sock")} runs {agent.ConfigPath}, not {candidate}: reload it with --config {agent.ConfigPath}, or without --config when that is the default\n")), reload.All);
            Assert.That(own.Err, Does.Not.Contain("running in this process"), "its own file still goes to the daemon: " + own.All);
        });
    }

    [Test]
    public async Task BackupRun_NoDaemon_RunsInProcessAndSaysSo()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-control-");
        try
        {
            var config = Path.Combine(dir.FullName, "appsettings.json");
            await File.WriteAllTextAsync(config, TestAgent.Config(Path.Combine(dir.FullName, "journal.sock"), BackupJob(Path.Combine(dir.FullName, "backups"))));

            var run = await AgentProcess.RunAsync("backup", "run", "db", "--config", config);

            Assert.That(run.Exit, Is.Zero, run.All);
            Assert.That(run.Err, Does.Contain("no daemon answers on").And.Contain("running in this process"));
            Assert.That(run.Out, Does.Contain("backup db ok:"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Reload_RejectedConfiguration_ExitsOneWithEveryErrorAndStatusSaysSo()
    {
        await using var agent = await TestAgent.StartAsync(watchFiles: false);
        await agent.WriteConfigAsync("""
            "Probes": { "api": { "Type": "http", "Url": "not a url", "Every": "banana" } }
            """, watchFiles: false);

        var rejected = await AgentProcess.RunAsync("reload", "--config", agent.ConfigPath);

        Assert.That(rejected.Exit, Is.EqualTo(1), rejected.All);
        Assert.That(rejected.Out, Does.Contain("configuration rejected").And.Contain("OpsAgent:Probes:api:Url").And.Contain("OpsAgent:Probes:api:Every"));
        Assert.That(await agent.Service<StatusLine>().BuildAsync(CancellationToken.None), Does.StartWith("configuration rejected (").And.Contain("running generation 1"));

        await agent.WriteConfigAsync(string.Empty, watchFiles: false);
        var accepted = await AgentProcess.RunAsync("reload", "--config", agent.ConfigPath);

        Assert.That(accepted.Exit, Is.Zero, accepted.All);
        Assert.That(accepted.Out, Does.Contain("configuration reloaded: generation 2"));
        Assert.That(await agent.Service<StatusLine>().BuildAsync(CancellationToken.None), Does.Not.Contain("rejected"));
    }

    [Test]
    public async Task Reload_NoDaemon_FailsSayingSo()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-control-");
        try
        {
            var config = Path.Combine(dir.FullName, "appsettings.json");
            await File.WriteAllTextAsync(config, TestAgent.Config(Path.Combine(dir.FullName, "journal.sock")));

            var reload = await AgentProcess.RunAsync("reload", "--config", config);

            Assert.That(reload.Exit, Is.EqualTo(1));
            Assert.That(reload.Err, Does.Contain("no daemon answers on"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task BackupRun_NoDaemon_JournalSaysHowManyJobsAreConfigured()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-control-");
        try
        {
            using var journal = new JournalCapture(Path.Combine(dir.FullName, "journal.sock"));
            var config = Path.Combine(dir.FullName, "appsettings.json");
            await File.WriteAllTextAsync(config, TestAgent.Config(journal.Path, BackupJob(Path.Combine(dir.FullName, "backups"))));

            var run = await AgentProcess.RunAsync("backup", "run", "db", "--config", config);

            Assert.That(run.Exit, Is.Zero, run.All);
            var loaded = await journal.WaitForAsync(e => e["MESSAGE"].StartsWith("Configuration loaded from", StringComparison.Ordinal), "the load logged");
            Assert.That(loaded["MESSAGE"], Does.Contain(": 1 jobs"), "the backup job is configured");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task BackupRun_JobLockHeld_RefusedCountedAsRefusedAndLoggedWithoutAnAttempt()
    {
        var backups = Directory.CreateTempSubdirectory("opsagent-control-");
        try
        {
            await using var agent = await TestAgent.StartAsync(BackupJob(backups.FullName));
            CliResult run;
            using (var held = BackupJobLock.TryAcquire(agent.Service<AgentConfigurationManager>().Current.Agent.StateDirectory, "db"))
            {
                Assert.That(held, Is.Not.Null, "the test holds the job's lock, as a run in another process would");
                run = await AgentProcess.RunAsync("backup", "run", "db", "--config", agent.ConfigPath);
            }

            Assert.That(run.Exit, Is.EqualTo(1), run.All);
            Assert.That(run.All, Does.Contain("already_running"));
            var metrics = await agent.MetricsAsync();
            Assert.That(metrics, Does.Contain("opsagent_backup_runs_total{job=\"db\",result=\"refused\"} 1"));
            Assert.That(metrics, Does.Contain("opsagent_backup_runs_total{job=\"db\",result=\"failure\"} 0"), "a refused run is not a failed backup");
            var entry = await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_REASON") == "already_running", "the refusal logged");
            Assert.Multiple(() =>
            {
                Assert.That(entry["OPSAGENT_EVENT"], Is.EqualTo("backup_refused"));
                Assert.That(entry["MESSAGE"], Does.Not.Contain("attempt"));
                Assert.That(entry.ContainsKey("OPSAGENT_ATTEMPT"), Is.False);
            });
        }
        finally
        {
            backups.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Reload_NoDaemonConfiguredSocketAndABrokenConfDFile_NamesTheConfiguredSocket()
    {
        var dir = Directory.CreateTempSubdirectory("opsagent-control-");
        try
        {
            var config = Path.Combine(dir.FullName, "appsettings.json");
            // TestAgent.Config puts Control:Socket beside the journal socket: not the default /run/opsagent/control.sock.
            await File.WriteAllTextAsync(config, TestAgent.Config(Path.Combine(dir.FullName, "journal.sock")));
            Directory.CreateDirectory(Path.Combine(dir.FullName, "conf.d"));
            File.CreateSymbolicLink(Path.Combine(dir.FullName, "conf.d", "app.json"), Path.Combine(dir.FullName, "gone.json"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "conf.d", "half.json"), "{ \"OpsAgent\": { ");

            var reload = await AgentProcess.RunAsync("reload", "--config", config);

            Assert.That(reload.Exit, Is.EqualTo(1));
            Assert.That(reload.Err, Does.Contain($"no daemon answers on {Path.Combine(dir.FullName, "control.sock")}"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
