using System.Globalization;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Support;

namespace OpsAgent.Backups.Tests.Retention;

/// <summary>Retention applied to synthetic backup files: only the job's own regular files (with sidecars) are ever touched.</summary>
public sealed class RetentionOnDiskTests
{
    private BackupTestKit _kit = null!;

    [SetUp]
    public void SetUp() => _kit = new BackupTestKit();

    [TearDown]
    public void TearDown() => _kit.Dispose();

    private string Backup(string job, string utc, bool verified = true, string extension = ".dump.zst")
    {
        var time = DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture);
        var path = Path.Combine(_kit.Directory, BackupFileNames.For(job, time, extension));
        File.WriteAllText(path, "dump");
        File.WriteAllText(path + ".sha256", $"00  {Path.GetFileName(path)}\n");
        File.WriteAllText(path + ".json", $$"""{"job":"{{job}}","engine":"postgres","tool":"pg_dump","format":"custom","compression":"zstd","sha256":"00","verified":{{(verified ? "true" : "false")}}}""");
        return Path.GetFileName(path);
    }

    [Test]
    public void ApplyRetention_KeepLast2_DeletesOlderBackupsWithTheirSidecarsOnly()
    {
        var kept1 = Backup("db", "2026-11-23T02:00:00Z");
        var kept2 = Backup("db", "2026-11-22T02:00:00Z");
        var gone = Backup("db", "2026-11-21T02:00:00Z");
        var otherJob = Backup("db-other", "2026-01-01T02:00:00Z");
        File.WriteAllText(Path.Combine(_kit.Directory, "db_notes.txt"), "operator's file");
        File.WriteAllText(Path.Combine(_kit.Directory, "db_20200101T000000Z.dump.zst"), "no checksum: not a backup");
        var outside = Path.Combine(Path.GetTempPath(), "opsagent-outside-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllText(outside, "a file elsewhere");
        File.CreateSymbolicLink(Path.Combine(_kit.Directory, "db_20190101T000000Z.dump.zst"), outside);
        File.WriteAllText(Path.Combine(_kit.Directory, "db_20190101T000000Z.dump.zst.sha256"), "00  db_20190101T000000Z.dump.zst\n");

        var (deleted, _) = _kit.Runner.ApplyRetention(_kit.Request("db", new BackupJobOptions { Retention = new RetentionOptions { KeepLast = 2 } }));

        try
        {
            Assert.That(deleted, Is.EqualTo(1));
            var files = _kit.FilesInDirectory();
            Assert.That(files, Does.Not.Contain(gone).And.Not.Contain(gone + ".sha256").And.Not.Contain(gone + ".json"));
            Assert.That(files, Does.Contain(kept1).And.Contain(kept1 + ".sha256").And.Contain(kept2 + ".json"));
            Assert.That(files, Does.Contain(otherJob), "another job's backups are never touched");
            Assert.That(files, Does.Contain("db_notes.txt").And.Contain("db_20200101T000000Z.dump.zst"), "foreign files stay");
            Assert.That(files, Does.Contain("db_20190101T000000Z.dump.zst"), "a symlink is never a backup, never deleted");
            Assert.That(File.ReadAllText(outside), Is.EqualTo("a file elsewhere"));
            var deletions = _kit.Logs.WithEvent("backup_deleted");
            Assert.That(deletions, Has.Count.EqualTo(1));
            Assert.That(deletions[0].Properties["File"]?.ToString(), Does.EndWith(gone));
            Assert.That(deletions[0].Properties["Job"], Is.EqualTo("db"));
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Test]
    public void ApplyRetention_NewestVerifiedOlderThanUnverified_IsNeverDeleted()
    {
        Backup("db", "2026-11-23T02:00:00Z", verified: false);
        var verified = Backup("db", "2026-11-20T02:00:00Z");
        var old = Backup("db", "2026-11-10T02:00:00Z");

        _kit.Runner.ApplyRetention(_kit.Request("db", new BackupJobOptions { Retention = new RetentionOptions { KeepLast = 1 } }));

        Assert.That(_kit.FilesInDirectory(), Does.Contain(verified).And.Not.Contain(old));
    }

    [Test]
    public void ApplyRetention_DryRun_DeletesNothingAndLogsWhatWouldGo()
    {
        Backup("db", "2026-11-23T02:00:00Z");
        var old = Backup("db", "2026-11-22T02:00:00Z");

        var (deleted, _) = _kit.Runner.ApplyRetention(_kit.Request("db", new BackupJobOptions { Retention = new RetentionOptions { KeepLast = 1, DryRun = true } }));

        Assert.That(deleted, Is.Zero);
        Assert.That(_kit.FilesInDirectory(), Does.Contain(old));
        Assert.That(_kit.Logs.WithEvent("backup_would_delete").Select(e => e.Properties["File"]?.ToString()), Has.One.EndsWith(old));
    }

    [Test]
    public void Scan_MixedDirectory_ListsOnlyTheJobsCompleteBackupsNewestFirst()
    {
        var a = Backup("db", "2026-11-21T02:00:00Z");
        var b = Backup("db", "2026-11-23T02:00:00Z", extension: ".sql.gz");
        File.WriteAllText(Path.Combine(_kit.Directory, "db_20261124T020000Z.dump.zst.partial"), "in progress");
        Backup("db_x", "2026-11-23T02:00:00Z");

        var backups = BackupFileNames.Scan(_kit.Directory, "db");

        Assert.That(backups.Select(x => x.FileName), Is.EqualTo(new[] { b, a }));
        Assert.That(BackupFileNames.StalePartials(_kit.Directory, "db").Select(Path.GetFileName), Is.EqualTo(new[] { "db_20261124T020000Z.dump.zst.partial" }));
    }
}
