using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Backups;

/// <summary>Copies inside the running daemon: what a start catches up, and what /metrics and the journal then say.</summary>
[NonParallelizable]
public sealed class CopyAgentTests
{
    private DirectoryInfo _backups = null!;
    private DirectoryInfo _share = null!;

    [SetUp]
    public void CreateDirectories()
    {
        _backups = Directory.CreateTempSubdirectory("opsagent-copy-agent-");
        _share = Directory.CreateTempSubdirectory("opsagent-copy-share-");
    }

    [TearDown]
    public void RemoveDirectories()
    {
        _backups.Delete(recursive: true);
        _share.Delete(recursive: true);
    }

    /// <summary>A backup as the agent publishes it: data, a <c>.json</c> saying it was verified, its real SHA-256.</summary>
    private string Backup(DateTimeOffset time, string content)
    {
        var name = $"db_{time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.dump.zst";
        var path = Path.Combine(_backups.FullName, name);
        var bytes = Encoding.UTF8.GetBytes(content);
        File.WriteAllBytes(path, bytes);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        File.WriteAllText(path + ".json", $$"""{"job":"db","engine":"postgres","tool":"pg_dump","format":"custom","compression":"zstd","sha256":"{{sha}}","sizeBytes":{{bytes.Length}},"verified":true,"finished":"{{time.AddMinutes(1):O}}"}""");
        File.WriteAllText(path + ".sha256", $"{sha}  {name}\n");
        return name;
    }

    private string Config(string sharePath) => $$"""
        "Targets": { "nas": { "Type": "directory", "Path": "{{sharePath}}" } },
        "Backups": {
          "db": {
            "Engine": "postgres", "Schedule": "0 2 1 1 *", "CatchUp": false,
            "Connection": "Host=127.0.0.1;Port=1;Username=u;Password=not-used",
            "Directory": "{{_backups.FullName}}",
            "Retention": { "KeepLast": 5 },
            "Copies": { "nas": { "Retries": 0 } }
          }
        }
        """;

    [Test]
    public async Task Start_BackupsTheTargetLacks_CopiedAtStartAndReportedInMetricsAndJournal()
    {
        var now = DateTimeOffset.UtcNow;
        var older = Backup(now.AddDays(-2), "older dump");
        var newer = Backup(now.AddDays(-1), "newer dump");

        await using var agent = await TestAgent.StartAsync(Config(_share.FullName));

        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_backup_copy_files{job=\"db\",target=\"nas\"} 2", StringComparison.Ordinal),
            "the start-up pass to leave both backups on the target");
        var metrics = await agent.MetricsAsync();
        Assert.That(metrics, Does.Contain("opsagent_backup_copy_pending{job=\"db\",target=\"nas\"} 0"));
        Assert.That(metrics, Does.Contain("opsagent_backup_copy_runs_total{job=\"db\",result=\"success\",target=\"nas\"} 1"));
        Assert.That(metrics, Does.Match("opsagent_backup_copy_last_success_timestamp_seconds\\{job=\"db\",target=\"nas\"\\} [0-9.e+]+"));
        Assert.That(metrics, Does.Match("opsagent_backup_copy_bytes_total\\{job=\"db\",target=\"nas\"\\} 20\\b"), "both dumps' bytes (10 each), not the sidecars'");
        Assert.That(File.ReadAllText(Path.Combine(_share.FullName, older)), Is.EqualTo("older dump"));
        Assert.That(File.Exists(Path.Combine(_share.FullName, newer + ".sha256")), Is.True);
        var copied = await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "copy_succeeded" && e.GetValueOrDefault("OPSAGENT_FILE") == newer, "copy_succeeded for the newer backup");
        Assert.That(copied.GetValueOrDefault("OPSAGENT_JOB"), Is.EqualTo("db"));
        Assert.That(copied.GetValueOrDefault("OPSAGENT_TARGET"), Is.EqualTo("nas"));
    }

    [Test]
    public async Task BackupCopy_DaemonRunning_RunsInTheDaemonAndCountsThere()
    {
        var now = DateTimeOffset.UtcNow;
        Backup(now.AddDays(-2), "first dump");
        await using var agent = await TestAgent.StartAsync(Config(_share.FullName));
        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_backup_copy_files{job=\"db\",target=\"nas\"} 1", StringComparison.Ordinal),
            "the start-up pass");
        var added = Backup(now.AddHours(-1), "second dump");

        var copy = await AgentProcess.RunAsync("backup", "copy", "db", "--target", "nas", "--config", agent.ConfigPath);

        Assert.That(copy.Exit, Is.Zero, copy.All);
        Assert.That(copy.Err, Does.Not.Contain("running in this process"), "the daemon answered on its control socket");
        Assert.That(copy.Out, Does.Contain("copy db to nas ok: 1 uploaded, 0 deleted, 2 on the target"));
        Assert.That(File.Exists(Path.Combine(_share.FullName, added + ".sha256")), Is.True);
        Assert.That(await agent.MetricsAsync(), Does.Contain("opsagent_backup_copy_runs_total{job=\"db\",result=\"success\",target=\"nas\"} 2"), "counted in the daemon's metrics");
    }

    [Test]
    public async Task Start_TargetUnmounted_FailureCountedAndBackupsPendingInMetrics()
    {
        var now = DateTimeOffset.UtcNow;
        Backup(now.AddDays(-1), "a dump");

        await using var agent = await TestAgent.StartAsync(Config(Path.Combine(_share.FullName, "not-mounted")));

        await Eventually.WaitAsync(async () => (await agent.MetricsAsync()).Contains("opsagent_backup_copy_runs_total{job=\"db\",result=\"not_found\",target=\"nas\"} 1", StringComparison.Ordinal),
            "the start-up pass to fail not_found");
        var metrics = await agent.MetricsAsync();
        Assert.That(metrics, Does.Contain("opsagent_backup_copy_pending{job=\"db\",target=\"nas\"} 1"));
        Assert.That(metrics, Does.Not.Contain("opsagent_backup_copy_last_success_timestamp_seconds{job=\"db\""), "never succeeded: no timestamp (OpsAgentCopyPending alerts instead)");
        var failed = await agent.Journal.WaitForAsync(e => e.GetValueOrDefault("OPSAGENT_EVENT") == "copy_failed", "copy_failed");
        Assert.That(failed.GetValueOrDefault("OPSAGENT_REASON"), Is.EqualTo("not_found"));
        Assert.That(failed.GetValueOrDefault("PRIORITY"), Is.EqualTo("3"));
    }
}
