using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Backups;

/// <summary>Drills inside the running daemon: scheduled as a job of their own, counted in /metrics, told in the journal.</summary>
[NonParallelizable]
[Platform("Linux")]
public sealed class DrillAgentTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void CreateDirectories()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-drill-agent-");
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "media", "uploads"));
        for (var i = 0; i < 20; i++)
        {
            File.WriteAllText(Path.Combine(_dir.FullName, "media", "uploads", $"p{i}.jpg"), new string('x', 100 + i));
        }
    }

    [TearDown]
    public void RemoveDirectories() => _dir.Delete(recursive: true);

    private string Config(string expect) => $$"""
        "Backups": {
          "media": {
            "Engine": "files", "Schedule": "0 2 1 1 *", "CatchUp": true,
            "Paths": [ "{{_dir.FullName}}/media" ],
            "Directory": "{{_dir.FullName}}/backups",
            "Drill": { "Schedule": "0 4 1 1 *", "ExpectPaths": [ "{{expect}}" ] }
          }
        }
        """;

    [Test]
    public async Task Daemon_DrillTriggered_RunsAsItsOwnJobCountedInMetricsAndJournal()
    {
        var media = _dir.FullName.TrimStart('/') + "/media";
        await using var agent = await TestAgent.StartAsync(Config(media + "/uploads/p19.jpg"));
        // CatchUp takes the first backup at start.
        await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "backup_succeeded", "backup_succeeded");

        await agent.Scheduler.TriggerNowAsync(new Quartz.JobKey("media", "drill"), CancellationToken.None);

        var succeeded = await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "drill_succeeded", "drill_succeeded");
        Assert.That(succeeded.GetValueOrDefault("OPSAGENT_CHECKS"), Does.Contain("entries = 22 (22 as the backup recorded) ok").And.Contain("paths = 1 present"));
        Assert.That(succeeded.GetValueOrDefault("OPSAGENT_SCRATCH"), Does.Contain("drill-media-"));
        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_backup_drill_runs_total{job=\"media\",result=\"success\"} 1", StringComparison.Ordinal), "the drill counted");
        var metrics = await agent.MetricsAsync();
        Assert.That(metrics, Does.Contain("opsagent_backup_drill_last_success_timestamp_seconds{job=\"media\"}"));
        Assert.That(metrics, Does.Contain("opsagent_backup_drill_restored_bytes{job=\"media\"}"));

        await agent.WriteConfigAsync(Config(media + "/uploads/missing.jpg"));
        await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("MESSAGE")?.Contains("(generation 2)", StringComparison.Ordinal) == true, "the reload applied");
        await agent.Scheduler.TriggerNowAsync(new Quartz.JobKey("media", "drill"), CancellationToken.None);
        var failed = await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "drill_failed", "drill_failed");
        Assert.That(failed.GetValueOrDefault("OPSAGENT_REASON"), Is.EqualTo("check_failed:paths"));
        Assert.That(failed.GetValueOrDefault("PRIORITY"), Is.EqualTo("3"));
        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_backup_drill_runs_total{job=\"media\",result=\"check_failed:paths\"} 1", StringComparison.Ordinal), "the failure counted by its reason");
    }
}
