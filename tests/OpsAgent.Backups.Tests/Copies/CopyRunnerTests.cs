using System.Security.Cryptography;
using System.Text;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Copies.FileSystem;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Testing;

namespace OpsAgent.Backups.Tests.Copies;

/// <summary>The copy stage over the <c>directory</c> target (a mounted share): what reaches the target, what stays, what is deleted.</summary>
public sealed class CopyRunnerTests
{
    private BackupTestKit _kit = null!;
    private string _remote = null!;

    [SetUp]
    public void SetUp()
    {
        _kit = new BackupTestKit();
        _remote = Path.Combine(Path.GetTempPath(), "opsagent-remote-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_remote);
    }

    [TearDown]
    public void TearDown()
    {
        _kit.Dispose();
        if (Directory.Exists(_remote))
        {
            Directory.Delete(_remote, recursive: true);
        }
    }

    private Dictionary<string, CopyTargetOptions> Targets(string? path = null) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["nas"] = new CopyTargetOptions { Type = "directory", Settings = new FileSystemTargetOptions { Path = path ?? _remote } },
    };

    private BackupRequest Job(RetentionOptions? local = null, CopyOptions? copy = null, int keepUncopiedDays = 14)
        => _kit.Request("db", new BackupJobOptions
        {
            Engine = "postgres",
            Retention = local ?? new RetentionOptions(),
            KeepUncopiedDays = keepUncopiedDays,
            Copies = new(StringComparer.OrdinalIgnoreCase) { ["nas"] = copy ?? new CopyOptions { Retries = 0 } },
        });

    private static byte[] Content(string text, int repeat = 1) => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(text, repeat)));

    private string[] RemoteFiles() => [.. Directory.EnumerateFiles(_remote, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_remote, f)).Order(StringComparer.Ordinal)];

    [Test]
    public async Task Run_NewBackup_TargetHoldsDataJsonAndChecksumWithTheLocalBytes()
    {
        var request = Job();
        var path = _kit.WriteRealBackup("db", DateTimeOffset.UtcNow.AddMinutes(-5), Content("pg dump bytes ", 1000));

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results, Has.Count.EqualTo(1));
        Assert.That(results[0].Success, Is.True, results[0].Message);
        var name = Path.GetFileName(path);
        Assert.That(RemoteFiles(), Is.EqualTo(new[] { name, name + ".json", name + ".sha256" }));
        Assert.That(File.ReadAllBytes(Path.Combine(_remote, name)), Is.EqualTo(File.ReadAllBytes(path)));
        Assert.That(File.ReadAllText(Path.Combine(_remote, name + ".sha256")), Is.EqualTo(File.ReadAllText(path + ".sha256")));
        Assert.That(_kit.Logs.WithEvent("copy_succeeded"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Run_TargetAbsentForEightDays_LocalRetentionKeepsWhatItLacksAndTheNextPassCatchesUpOldestFirst()
    {
        // Seed 001's outage: KeepDaily 7 locally, 4 weeks on the target, the share unmounted for eight days.
        var request = Job(new RetentionOptions { KeepDaily = 7 }, new CopyOptions { Retries = 0, Retention = new RetentionOptions { KeepDaily = 28 } });
        var now = DateTimeOffset.UtcNow;
        var names = Enumerable.Range(0, 10).Select(d => Path.GetFileName(_kit.WriteRealBackup("db", now.AddDays(-d).AddMinutes(-1), Content($"day {d} ", 100)))).ToList();
        var unmounted = Path.Combine(_remote, "not-mounted");

        var down = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets(unmounted)), null, null, CancellationToken.None);
        var (deleted, _) = _kit.Retention.Apply(request);

        Assert.That(down[0].Reason, Is.EqualTo(CopyReasons.NotFound));
        Assert.That(deleted, Is.Zero, "nothing the target lacks may go while it is down");
        Assert.That(_kit.Logs.WithEvent("backup_kept_uncopied"), Has.Count.EqualTo(3));

        var up = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);
        (deleted, _) = _kit.Retention.Apply(request);

        Assert.That(up[0].Success, Is.True, up[0].Message);
        Assert.That(up[0].Uploaded, Is.EqualTo(10));
        var uploadedOrder = _kit.Logs.WithEvent("copy_succeeded").Select(e => e.Properties["File"]?.ToString()).ToList();
        Assert.That(uploadedOrder, Is.EqualTo(names.AsEnumerable().Reverse().ToList()), "oldest first");
        Assert.That(deleted, Is.EqualTo(3), "once copied, local retention applies again");
    }

    [Test]
    public void Run_KeepUncopiedDaysRunOut_LocalRetentionDeletesAndSaysTheTargetNeverHadIt()
    {
        var request = Job(new RetentionOptions { KeepLast = 1 }, new CopyOptions { Retention = new RetentionOptions { KeepLast = 5 } }, keepUncopiedDays: 3);
        var now = DateTimeOffset.UtcNow;
        var old = Path.GetFileName(_kit.WriteRealBackup("db", now.AddDays(-5), Content("old")));
        _kit.WriteRealBackup("db", now.AddDays(-1), Content("new"));

        var (deleted, _) = _kit.Retention.Apply(request);

        Assert.That(deleted, Is.EqualTo(1));
        Assert.That(File.Exists(Path.Combine(_kit.Directory, old)), Is.False);
        var warning = _kit.Logs.WithEvent("backup_uncopied_deleted").Single();
        Assert.That(warning.Properties["File"], Is.EqualTo(old));
    }

    [Test]
    public async Task Run_LocalDirectoryWiped_NoRemoteCopyIsDeleted()
    {
        var request = Job(new RetentionOptions { KeepLast = 3 });
        var now = DateTimeOffset.UtcNow;
        for (var d = 0; d < 3; d++)
        {
            _kit.WriteRealBackup("db", now.AddDays(-d).AddMinutes(-1), Content($"d{d}"));
        }

        await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);
        foreach (var file in Directory.EnumerateFiles(_kit.Directory))
        {
            File.Delete(file);
        }

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results[0].Success, Is.True, results[0].Message);
        Assert.That(RemoteFiles().Count(f => f.EndsWith(".sha256", StringComparison.Ordinal)), Is.EqualTo(3), "unlike sync --delete, a wiped source deletes nothing remote");
    }

    [Test]
    public async Task Run_RemoteRetention_DeletesOnlyThisJobsBackupsThePolicyDrops()
    {
        var request = Job(copy: new CopyOptions { Retries = 0, Retention = new RetentionOptions { KeepLast = 2 } });
        var now = DateTimeOffset.UtcNow;
        for (var d = 0; d < 4; d++)
        {
            _kit.WriteRealBackup("db", now.AddDays(-d).AddMinutes(-1), Content($"d{d}"));
        }

        var foreign = new[] { "README.txt", "db2_20200101T000000Z.dump.zst", "db2_20200101T000000Z.dump.zst.sha256", "db_notes.txt" };
        foreach (var f in foreign)
        {
            File.WriteAllText(Path.Combine(_remote, f), "someone else's");
        }

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results[0].Success, Is.True, results[0].Message);
        Assert.That(results[0].Uploaded, Is.EqualTo(2), "only what the target's retention keeps goes up");
        Assert.That(RemoteFiles().Count(f => f.StartsWith("db_2", StringComparison.Ordinal) && f.EndsWith(".sha256", StringComparison.Ordinal)), Is.EqualTo(2));
        Assert.That(foreign.All(f => File.Exists(Path.Combine(_remote, f))), Is.True, "foreign files are never touched");
    }

    [Test]
    public async Task Run_FutureDatedObjectOnTheTarget_TakesNoRetentionSlotAndIsNeitherDeletedNorRestored()
    {
        // A host whose clock was wrong once, or another writer to the folder: complete-looking, dated 2099.
        var request = Job(copy: new CopyOptions { Retries = 0, Retention = new RetentionOptions { KeepLast = 1 } });
        var future = "db_20990101T020000Z.dump.zst";
        var bytes = Content("garbage");
        File.WriteAllBytes(Path.Combine(_remote, future), bytes);
        File.WriteAllText(Path.Combine(_remote, future + ".json"), """{"job":"db","engine":"postgres","tool":"pg_dump","format":"custom","compression":"zstd","sha256":"00","verified":true}""");
        File.WriteAllText(Path.Combine(_remote, future + ".sha256"), $"{Convert.ToHexStringLower(SHA256.HashData(bytes))}  {future}\n");
        var real = Path.GetFileName(_kit.WriteRealBackup("db", DateTimeOffset.UtcNow.AddMinutes(-1), Content("the real dump")));
        var copy = BackupTestKit.CopyRequest(request, Targets());

        var first = await _kit.Copier.RunAsync(copy, null, null, CancellationToken.None);
        var second = await _kit.Copier.RunAsync(copy, null, null, CancellationToken.None);

        Assert.That((first[0].Success, first[0].Uploaded, first[0].Deleted), Is.EqualTo((true, 1, 0)), first[0].Message);
        Assert.That((second[0].Uploaded, second[0].Deleted), Is.EqualTo((0, 0)), "the real copy keeps its KeepLast slot");
        Assert.That(File.Exists(Path.Combine(_remote, real + ".sha256")), Is.True);
        Assert.That(File.Exists(Path.Combine(_remote, future)), Is.True, "not ours to delete either");
        Assert.That(_kit.Logs.WithEvent("copy_ignored"), Has.Count.EqualTo(1), "reported once per process");
        var listed = await _kit.Fetcher.ListAsync(copy, "nas", CancellationToken.None);
        Assert.That(listed.Single(e => e.File == future).Rules, Is.EqualTo(new[] { "future_dated" }));
        var fetched = await _kit.Fetcher.FetchAsync(copy, "nas", null, null, Path.Combine(_kit.Directory, "fetched"), (_, _, _) => Task.FromResult(true), null, CancellationToken.None);
        Assert.That(Path.GetFileName(fetched!.Path), Is.EqualTo(real), "restore without --file takes the newest real backup");
    }

    [Test]
    public async Task Run_AnotherJobsUploadInProgressInTheFolder_ItsPartialIsLeftAlone()
    {
        // Job db beside job db_x (names may hold '_'): db's clean-up must not take db_x's upload for one of its own.
        var request = Job();
        var theirs = Path.Combine(_remote, "db_x_20261202T010000Z.dump.zst.partial");
        var ours = Path.Combine(_remote, "db_20261202T010000Z.dump.zst.partial");
        File.WriteAllText(theirs, "db_x uploading");
        File.WriteAllText(ours, "left by a killed pass of db");
        _kit.WriteRealBackup("db", DateTimeOffset.UtcNow.AddMinutes(-1), Content("dump"));

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results[0].Success, Is.True, results[0].Message);
        Assert.That(File.Exists(theirs), Is.True, "another job's upload in progress");
        Assert.That(File.Exists(ours), Is.False, "this job's interrupted upload is removed");
    }

    [Test]
    public async Task Run_IncompleteUploadNamedForAnOldDateButJustWritten_KeptForADay()
    {
        var request = Job();
        var name = "db_20261101T020000Z.dump.zst";
        File.WriteAllText(Path.Combine(_remote, name), "uploaded a moment ago by a pass still writing its sidecars");
        File.WriteAllText(Path.Combine(_remote, name + ".json"), "{}");
        _kit.WriteRealBackup("db", DateTimeOffset.UtcNow.AddMinutes(-1), Content("dump"));

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results[0].Success, Is.True, results[0].Message);
        Assert.That(File.Exists(Path.Combine(_remote, name)), Is.True, "judged by when the target says it was written, not by its name");
        File.SetLastWriteTimeUtc(Path.Combine(_remote, name), DateTime.UtcNow.AddDays(-2));
        File.SetLastWriteTimeUtc(Path.Combine(_remote, name + ".json"), DateTime.UtcNow.AddDays(-2));
        await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);
        Assert.That(File.Exists(Path.Combine(_remote, name)), Is.False, "two days without its .sha256: removed");
    }

    [Test]
    public async Task Run_LocalFileChangedAfterVerification_NothingReachesTheTarget()
    {
        var request = Job();
        var path = _kit.WriteRealBackup("db", DateTimeOffset.UtcNow.AddMinutes(-5), Content("good bytes ", 100));
        var bytes = File.ReadAllBytes(path);
        bytes[10] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results[0].Reason, Is.EqualTo(CopyReasons.ChecksumMismatch));
        Assert.That(RemoteFiles(), Is.Empty);
        Assert.That(File.Exists(path), Is.True, "a failed copy never deletes the local backup");
    }

    [Test]
    public async Task Run_StoppedMidUpload_NothingCountsOnTheTargetAndTheQueueEntryStays()
    {
        var request = Job(copy: new CopyOptions { Retries = 0 });
        var targets = Targets();
        targets["nas"].MaxBytesPerSecond = 256 * 1024;
        var path = _kit.WriteRealBackup("db", DateTimeOffset.UtcNow.AddMinutes(-5), RandomNumberGenerator.GetBytes(4 << 20));
        CopyStateStore.Enqueue(request.StateDirectory, "db", "nas", Path.GetFileName(path));
        using var stop = new CancellationTokenSource();
        var progress = new Progress<CopyProgress>(p =>
        {
            if (p.Bytes > 0)
            {
                stop.Cancel();
            }
        });

        Assert.That(async () => await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, targets), null, progress, stop.Token), Throws.InstanceOf<OperationCanceledException>());

        Assert.That(RemoteFiles().Where(f => !f.EndsWith(".partial", StringComparison.Ordinal)), Is.Empty);
        Assert.That(CopyStateStore.Queued(request.StateDirectory, "db", "nas"), Is.EqualTo(new[] { Path.GetFileName(path) }));

        targets["nas"].MaxBytesPerSecond = 0;
        var again = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, targets), null, null, CancellationToken.None);

        Assert.That(again[0].Success, Is.True, again[0].Message);
        Assert.That(RemoteFiles(), Has.Length.EqualTo(3), "the interrupted pass's .partial is gone too");
        Assert.That(CopyStateStore.Queued(request.StateDirectory, "db", "nas"), Is.Empty);
    }

    [Test]
    public async Task Run_AnotherPassHoldsTheCopyLock_RefusedWithoutTouchingTheTarget()
    {
        var request = Job();
        _kit.WriteRealBackup("db", DateTimeOffset.UtcNow.AddMinutes(-5), Content("x"));
        using var held = OpsAgent.Backups.Files.BackupJobLock.TryAcquire(request.StateDirectory, "db", "copy");

        var results = await _kit.Copier.RunAsync(BackupTestKit.CopyRequest(request, Targets()), null, null, CancellationToken.None);

        Assert.That(results[0].Reason, Is.EqualTo(CopyReasons.AlreadyRunning));
        Assert.That(RemoteFiles(), Is.Empty);
    }
}
