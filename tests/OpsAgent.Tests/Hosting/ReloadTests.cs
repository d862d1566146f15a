using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using OpsAgent.Core.Status;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Hosting;

public sealed class ReloadTests
{
    private const string Nightly = """ "Test": { "Jobs": { "nightly": { "Schedule": "0 2 * * *" }, "weekly": { "Schedule": "0 3 * * 0" } } } """;

    private static JobStatusReport? Job(StatusReport status, string name) => status.Jobs.SingleOrDefault(j => j.Name == name);

    [Test]
    public async Task EditedSchedule_FileReplaced_NewNextFireTimeInStatus()
    {
        await using var agent = await TestAgent.StartAsync(Nightly);
        var before = Job(await agent.StatusAsync(), "nightly")!;
        Assert.That(before.NextFire!.Value.Hour, Is.EqualTo(2));

        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "30 4 * * *" }, "weekly": { "Schedule": "0 3 * * 0" } } } """);

        await Eventually.WaitAsync(async () => Job(await agent.StatusAsync(), "nightly")?.Schedule == "30 4 * * *", "the new schedule", TimeSpan.FromSeconds(5));
        var after = Job(await agent.StatusAsync(), "nightly")!;
        Assert.That((after.NextFire!.Value.Hour, after.NextFire.Value.Minute), Is.EqualTo((4, 30)));
        Assert.That(await agent.MetricsAsync(), Does.Contain("opsagent_config_reloads_total{result=\"success\"} 2"));
    }

    [Test]
    public async Task InvalidEdit_Rejected_OldScheduleStaysAndFailureCounted()
    {
        await using var agent = await TestAgent.StartAsync(Nightly);

        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "0 2 * *" }, "Weekly Job": { "Schedule": "0 3 * * 0" } } } """);

        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_config_reloads_total{result=\"failure\"} 1", StringComparison.Ordinal),
            "the failed reload to be counted");
        var status = await agent.StatusAsync();
        Assert.That(Job(status, "nightly")!.Schedule, Is.EqualTo("0 2 * * *"));
        Assert.That(Job(status, "weekly"), Is.Not.Null, "the last good configuration stays whole");
        Assert.That(status.Configuration.Generation, Is.EqualTo(1));
        Assert.That(status.Configuration.LastReloadErrors, Has.Some.StartsWith("OpsAgent:Test:Jobs:nightly:Schedule: '0 2 * *' is not a cron expression"));
        Assert.That(status.Configuration.LastReloadErrors, Has.Some.StartsWith("OpsAgent:Test:Jobs:Weekly Job:"));

        await agent.Journal.WaitForAsync(e => e["MESSAGE"].StartsWith("OpsAgent:Test:Jobs:nightly:Schedule: '0 2 * *' is not a cron expression", StringComparison.Ordinal) && e["PRIORITY"] == "3",
            "every error logged with its path");
        await agent.Journal.WaitForAsync(e => e["MESSAGE"].Contains("rejected with 2 errors", StringComparison.Ordinal), "the rejection summary");
    }

    [Test]
    public async Task Sighup_WithFileWatchOff_ReloadsTheEditedFile()
    {
        await using var agent = await TestAgent.StartAsync(Nightly, watchFiles: false);
        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "15 1 * * *" } } } """, watchFiles: false);

        using (var kill = Process.Start("kill", ["-HUP", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await Eventually.WaitAsync(async () => Job(await agent.StatusAsync(), "nightly")?.Schedule == "15 1 * * *", "SIGHUP to reload");
        Assert.That(Job(await agent.StatusAsync(), "weekly"), Is.Null);
        await agent.Journal.WaitForAsync(e => e["MESSAGE"].StartsWith("Configuration reloaded (SIGHUP)", StringComparison.Ordinal), "the reload logged as SIGHUP");
    }

    [Test]
    public async Task EmacsLockInConfD_EditWhileTheLockExistsAppliedAndNoReloadFails()
    {
        await using var agent = await TestAgent.StartAsync(Nightly, prepare: d => Directory.CreateDirectory(Path.Combine(d.FullName, "conf.d")));
        // Emacs' lock while someone edits conf.d/app.json: a dangling symlink named .#app.json.
        var emacsLock = Path.Combine(agent.Directory.FullName, "conf.d", ".#app.json");
        File.CreateSymbolicLink(emacsLock, "root@host.4242:1700000000");

        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "30 4 * * *" } } } """);

        await Eventually.WaitAsync(async () => Job(await agent.StatusAsync(), "nightly")?.Schedule == "30 4 * * *", "the edit applied while the lock exists");
        File.Delete(emacsLock);
        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "45 4 * * *" } } } """);
        await Eventually.WaitAsync(async () => Job(await agent.StatusAsync(), "nightly")?.Schedule == "45 4 * * *", "the next edit applied");
        var status = await agent.StatusAsync();
        Assert.That(status.Configuration.LastReloadErrors, Is.Empty);
        Assert.That(await agent.MetricsAsync(), Does.Not.Contain("opsagent_config_reloads_total{result=\"failure\"} 1"));
    }

    [Test]
    public async Task RemovedJob_DisappearsFromStatusAndMetrics()
    {
        await using var agent = await TestAgent.StartAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "* * * * *" }, "weekly": { "Schedule": "0 3 * * 0" } } } """);
        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_test_job_last_run_timestamp_seconds{job=\"weekly\"}", StringComparison.Ordinal),
            "the weekly series");

        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "* * * * *" } } } """);

        await Eventually.WaitAsync(async () => Job(await agent.StatusAsync(), "weekly") is null, "weekly to leave /status", TimeSpan.FromSeconds(5));
        var metrics = await agent.MetricsAsync();
        Assert.That(metrics, Does.Not.Contain("job=\"weekly\""));
        Assert.That(metrics, Does.Contain("opsagent_test_job_last_run_timestamp_seconds{job=\"nightly\"}"));
    }

    [Test]
    public async Task RunningJob_RescheduledDuringRun_FinishesUndisturbed()
    {
        TestJobGates.Gates.TryRemove("long", out _);
        TestJobGates.Started.TryRemove("long", out _);
        await using var agent = await TestAgent.StartAsync(""" "Test": { "Jobs": { "long": { "Schedule": "0 2 * * *", "Block": true } } } """);
        await agent.Scheduler.TriggerNowAsync(new Quartz.JobKey("long", "test"), CancellationToken.None);
        await TestJobGates.Started.GetOrAdd("long", _ => new()).Task.WaitAsync(TimeSpan.FromSeconds(20));

        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "long": { "Schedule": "0 5 * * *", "Block": true } } } """);
        await Eventually.WaitAsync(async () => Job(await agent.StatusAsync(), "long")?.Schedule == "0 5 * * *", "the reschedule");
        Assert.That(Job(await agent.StatusAsync(), "long")!.Running, Is.True, "the reschedule must not stop the run");

        TestJobGates.Gates.GetOrAdd("long", _ => new()).TrySetResult();
        await Eventually.WaitAsync(async () => Job(await agent.StatusAsync(), "long")?.LastResult == "success", "the run to finish");
        Assert.That(Job(await agent.StatusAsync(), "long")!.Message, Is.EqualTo("released"));
    }

    [Test]
    public async Task ReconcileFails_NewJobUnschedulable_PreviousJobsStayScheduledAndFailureCounted()
    {
        await using var agent = await TestAgent.StartAsync(Nightly);

        // Valid configuration the scheduler refuses half-way: weekly is removed and nightly rescheduled before "broken" fails.
        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "30 4 * * *" }, "broken": { "Schedule": "0 5 * * *", "Unschedulable": true } } } """);

        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_config_reloads_total{result=\"failure\"} 1", StringComparison.Ordinal),
            "the reload that could not be applied to be counted as a failure");
        var status = await agent.StatusAsync();
        Assert.That(status.Configuration.Generation, Is.EqualTo(1));
        Assert.That(status.Configuration.LastReloadErrors, Has.Some.Contains("applying the configuration failed"));
        Assert.That(Job(status, "nightly")!.Schedule, Is.EqualTo("0 2 * * *"), "the previous schedule is back");
        Assert.That(Job(status, "weekly"), Is.Not.Null, "the removed job is scheduled again");
        Assert.That(Job(status, "broken"), Is.Null);
        var (_, next) = await agent.Scheduler.FireTimesAsync(new Quartz.JobKey("weekly", "test"), CancellationToken.None);
        Assert.That(next, Is.Not.Null, "weekly has a trigger in the scheduler, not only a line in /status");
        Assert.That(await agent.MetricsAsync(), Does.Contain("opsagent_config_reloads_total{result=\"success\"} 1"), "only the first load succeeded");
        await agent.Journal.WaitForAsync(e => e["MESSAGE"].Contains("could not be applied", StringComparison.Ordinal) && e["PRIORITY"] == "3",
            "the failure logged with its cause");
        Assert.That(agent.Journal.Entries, Has.None.Matches<Dictionary<string, string>>(e => e["MESSAGE"].StartsWith("Configuration reloaded", StringComparison.Ordinal)),
            "a reload that was not applied is not logged as done");
    }

    [Test]
    public async Task ListenerThrows_OtherListenersStillToldAndReloadCountsAsApplied()
    {
        await using var agent = await TestAgent.StartAsync(Nightly);

        await agent.WriteConfigAsync(""" "Test": { "ListenerThrows": true, "Jobs": { "nightly": { "Schedule": "30 4 * * *" } } } """);

        await agent.Journal.WaitForAsync(e => e["MESSAGE"].StartsWith("ThrowingListener failed on configuration generation 2", StringComparison.Ordinal) && e["PRIORITY"] == "3",
            "the listener's failure logged with its cause");
        Assert.That(agent.Service<RecordingListener>().Generations, Is.EqualTo(new[] { 2L }), "the listener after the failing one is still told");
        var status = await agent.StatusAsync();
        Assert.That(status.Configuration.Generation, Is.EqualTo(2));
        Assert.That(Job(status, "nightly")!.Schedule, Is.EqualTo("30 4 * * *"));
        Assert.That(await agent.MetricsAsync(), Does.Contain("opsagent_config_reloads_total{result=\"success\"} 2"));
    }

    [Test]
    public async Task HostileValues_EachReloadRejectedWithPaths_DaemonStaysUpOnItsLastGoodConfiguration()
    {
        await using var agent = await TestAgent.StartAsync(Nightly);
        var hostile = new[]
        {
            """ "Backups": { "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Database": "app", "Directory": "/var/backups/a\u0000b" } } """,
            """ "Backups": { "db": { "Engine": "postgres", "Schedule": "0 2 30 2 *", "Database": "app", "Directory": "/var/backups/db" } } """,
            $$""" "Test": { "Jobs": { "nightly": { "Schedule": "{{new string('x', 100_000)}}" } } } """,
            """ "Test": { "Jobs": { "nightly": { "Schedule": { "a": [1, 2] } } } } """,
            """ "Probes": { "../../etc/x": { "Type": "tcp", "Host": "\u001b[31m", "Port": 1e308, "Every": true } } """,
            """ "Backups": [ { "Engine": "postgres" } ] """,
        };
        for (var i = 0; i < hostile.Length; i++)
        {
            await agent.WriteConfigAsync(hostile[i]);
            var failures = $"opsagent_config_reloads_total{{result=\"failure\"}} {i + 1}";
            await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains(failures, StringComparison.Ordinal), $"hostile configuration {i} rejected");
            var status = await agent.StatusAsync();
            Assert.That(status.Configuration.Generation, Is.EqualTo(1), $"hostile configuration {i}: the last good configuration stays");
            Assert.That(Job(status, "nightly")!.Schedule, Is.EqualTo("0 2 * * *"));
            Assert.That(status.Configuration.LastReloadErrors, Is.Not.Empty.And.All.StartsWith("OpsAgent"), $"hostile configuration {i}: errors name their paths");
            Assert.That(string.Concat(status.Configuration.LastReloadErrors).Any(char.IsControl), Is.False, "control characters are escaped");
            Assert.That(status.Configuration.LastReloadErrors.Max(e => e.Length), Is.LessThan(2000));
        }

        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "30 4 * * *" } } } """);
        await Eventually.WaitAsync(async () => Job(await agent.StatusAsync(), "nightly")?.Schedule == "30 4 * * *", "a good edit after the hostile ones is applied");
    }

    /// <summary>Holds every apply while <see cref="Gate"/> is open, so a test can queue requests behind a running reload.</summary>
    private sealed class HoldingApplier : OpsAgent.Core.Configuration.IConfigurationApplier
    {
        public TaskCompletionSource? Gate { get; set; }

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task ApplyAsync(OpsAgent.Core.Configuration.AgentConfiguration configuration, CancellationToken cancellationToken)
        {
            if (Gate is { } gate)
            {
                Entered.TrySetResult();
                await gate.Task.WaitAsync(cancellationToken);
            }
        }
    }

    [Test]
    public async Task Sighup_FollowedByABurstOfFileEventsDuringAReload_IsNotLost()
    {
        var holding = new HoldingApplier();
        await using var agent = await TestAgent.StartAsync(Nightly, watchFiles: false,
            configureServices: s => s.AddSingleton<OpsAgent.Core.Configuration.IConfigurationApplier>(holding));
        var watcher = agent.Service<OpsAgent.Core.Configuration.ConfigurationWatcher>();
        holding.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "0 3 * * *" } } } """, watchFiles: false);
        watcher.RequestReload("SIGHUP", force: true);
        await holding.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // While that reload is applied: the operator edits again and sends SIGHUP, and an editor's burst of events follows.
        await agent.WriteConfigAsync(""" "Test": { "Jobs": { "nightly": { "Schedule": "30 4 * * *" } } } """, watchFiles: false);
        watcher.RequestReload("SIGHUP", force: true);
        for (var i = 0; i < 50; i++)
        {
            watcher.RequestReload($"file {agent.ConfigPath}", force: false);
        }

        holding.Gate.SetResult();
        await Eventually.WaitAsync(async () => Job(await agent.StatusAsync(), "nightly")?.Schedule == "30 4 * * *", "the second SIGHUP's reload");
        Assert.That((await agent.StatusAsync()).Configuration.Generation, Is.EqualTo(3));
    }
}
