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

    private string Backup(string job, string utc, bool verified = true, string extension = ".dump.zst") => _kit.WriteBackup(job, utc, verified, extension);

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

        var (deleted, _) = _kit.Retention.Apply(_kit.Request("db", new BackupJobOptions { Retention = new RetentionOptions { KeepLast = 2 } }));

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

        _kit.Retention.Apply(_kit.Request("db", new BackupJobOptions { Retention = new RetentionOptions { KeepLast = 1 } }));

        Assert.That(_kit.FilesInDirectory(), Does.Contain(verified).And.Not.Contain(old));
    }

    [Test]
    public void ApplyRetention_DryRun_DeletesNothingAndLogsWhatWouldGo()
    {
        Backup("db", "2026-11-23T02:00:00Z");
        var old = Backup("db", "2026-11-22T02:00:00Z");

        var (deleted, _) = _kit.Retention.Apply(_kit.Request("db", new BackupJobOptions { Retention = new RetentionOptions { KeepLast = 1, DryRun = true } }));

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

    [Test]
    public void ApplyRetention_ForgedFutureAndUnverifiedFiles_AreNeverDeletedNorHoldAKeepLastSlotAndAreReportedOnce()
    {
        var forged = Backup("db", "2099-01-01T00:00:00Z");
        var unverified = Backup("db", "2026-11-24T02:00:00Z", verified: false);
        var newest = Backup("db", "2026-11-23T02:00:00Z");
        var old = Backup("db", "2026-11-22T02:00:00Z");
        var request = _kit.Request("db", new BackupJobOptions { Retention = new RetentionOptions { KeepLast = 1 } });

        var (deleted, remaining) = _kit.Retention.Apply(request);
        _kit.Retention.Apply(request);

        Assert.That((deleted, remaining), Is.EqualTo((1, 1)), "the forged and unverified files are not backups: KeepLast 1 keeps the newest real one");
        Assert.That(_kit.FilesInDirectory(), Does.Contain(forged).And.Contain(forged + ".sha256").And.Contain(unverified).And.Contain(newest).And.Not.Contain(old));
        var warnings = _kit.Logs.WithEvent("backup_ignored");
        Assert.That(warnings.Select(w => (Path.GetFileName(w.Properties["File"]?.ToString()), w.Properties["Reason"]?.ToString())),
            Is.EquivalentTo(new[] { (forged, "future_dated"), (unverified, "unverified") }), "each file is reported once, not at every run");
        Assert.That(warnings.Select(w => w.Level), Has.All.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
    }

    [Test]
    public void BackupStateStore_ForgedFutureBackup_DoesNotSetLastSuccess()
    {
        Backup("db", "2099-01-01T00:00:00Z");
        Backup("db", "2026-11-23T02:00:00Z");

        var state = new BackupStateStore().Get("db", _kit.Directory);

        Assert.That(state.LastSuccess, Is.LessThan(DateTimeOffset.Parse("2027-01-01T00:00:00Z", CultureInfo.InvariantCulture)));
        Assert.That(state.Files, Is.EqualTo(1));
    }

    [Test]
    public void NeedsCatchUp_OnlyAForgedFutureBackup_CatchesUp()
    {
        Backup("db", "2099-01-01T00:00:00Z");
        var options = new BackupJobOptions { Directory = _kit.Directory, Schedule = "0 2 * * *" };
        var now = DateTimeOffset.Parse("2026-11-23T12:00:00Z", CultureInfo.InvariantCulture);

        Assert.That(BackupStartup.NeedsCatchUp("db", options, now, TimeZoneInfo.Utc), Is.EqualTo(DateTimeOffset.Parse("2026-11-23T02:00:00Z", CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Scan_BackupDatedWithinTheClockSkew_Counts()
    {
        var now = DateTimeOffset.Parse("2026-11-23T02:00:00Z", CultureInfo.InvariantCulture);
        var justAhead = Backup("db", "2026-11-23T02:04:00Z");
        var tooFar = Backup("db", "2026-11-23T02:06:00Z");

        var scan = BackupFileNames.Inspect(_kit.Directory, "db", now);

        Assert.That(scan.Backups.Select(b => b.FileName), Is.EqualTo(new[] { justAhead }));
        Assert.That(scan.Ignored.Select(i => Path.GetFileName(i.Path)), Is.EqualTo(new[] { tooFar }));
    }

    [Test]
    public void ApplyRetention_DirectoryNamedLikeASidecar_IsSkippedWithAWarningAndTheOtherDeletionsGoOn()
    {
        Backup("db", "2026-11-23T02:00:00Z");
        var blocked = Backup("db", "2026-11-22T02:00:00Z");
        var older = Backup("db", "2026-11-21T02:00:00Z");
        Directory.CreateDirectory(Path.Combine(_kit.Directory, blocked + ".globals.sql"));
        File.WriteAllText(Path.Combine(_kit.Directory, blocked + ".globals.sql", "inside"), "x");

        var (deleted, _) = _kit.Retention.Apply(_kit.Request("db", new BackupJobOptions { Retention = new RetentionOptions { KeepLast = 1 } }));

        var files = _kit.FilesInDirectory();
        Assert.That(deleted, Is.EqualTo(2));
        Assert.That(files, Does.Not.Contain(blocked).And.Not.Contain(blocked + ".sha256").And.Not.Contain(older).And.Not.Contain(older + ".json"));
        Assert.That(files, Does.Contain(blocked + ".globals.sql"), "a directory is never deleted by retention");
        Assert.That(_kit.Logs.WithEvent("backup_delete_skipped").Select(e => Path.GetFileName(e.Properties["File"]?.ToString())), Is.EqualTo(new[] { blocked + ".globals.sql" }));
    }

    [Test]
    public async Task RunAsync_RetentionMeetsADirectoryNamedLikeASidecar_RecordsThePublishedSuccess()
    {
        Backup("db", "2026-01-02T02:00:00Z");
        var blocked = Backup("db", "2026-01-01T02:00:00Z");
        Directory.CreateDirectory(Path.Combine(_kit.Directory, blocked + ".globals.sql"));
        var request = _kit.Request("db", new BackupJobOptions
        {
            Engine = "postgres",
            Connection = new Core.Secrets.SecretReference { Value = TestPostgres.For("postgres") },
            Retention = new RetentionOptions { KeepLast = 1 },
        });

        var result = await _kit.Runner.RunAsync(request, null, CancellationToken.None);

        Assert.That(result.Success, Is.True, result.Message);
        Assert.That(_kit.State.Get("db", _kit.Directory).Successes, Is.EqualTo(1));
        Assert.That(_kit.FilesInDirectory(), Does.Not.Contain(blocked));
    }
}
