using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Support;
using static OpsAgent.Backups.Tests.Engines.FileTrees.FileTreeKit;

namespace OpsAgent.Backups.Tests.Engines.FileTrees;

/// <summary>The files engine against a real tree: 20,000 files and everything a media directory or a volume holds, restored with GNU tar and compared with diff and find.</summary>
[TestFixture]
[Platform("Linux")]
public sealed class FilesBackupTests
{
    private const string BuildTree = """
        set -e
        m="$1/media"
        mkdir -p "$m"
        for d in $(seq 1 100); do
          mkdir -p "$m/d$d"
          for f in $(seq 1 200); do printf '%s %s\n' "$d" "$f" > "$m/d$d/f$f.txt"; done
        done
        mkdir -p "$m/média" "$m/日本語"
        echo été > "$m/média/été ☃.txt"
        echo nihongo > "$m/日本語/ファイル.txt"
        long=$(printf 'a%.0s' $(seq 1 150))
        mkdir "$m/$long"
        echo long > "$m/$long/$long.txt"
        ln -s ../d1/f1.txt "$m/d2/link-in"
        ln -s /etc/passwd "$m/link-out"
        ln -s nowhere "$m/dangling"
        ln -s d3 "$m/dirlink"
        ln "$m/d1/f2.txt" "$m/hard"
        truncate -s 20M "$m/sparse.img"
        printf x | dd of="$m/sparse.img" bs=1 seek=10000000 conv=notrunc status=none
        : > "$m/empty"
        mkdir "$m/emptydir"
        chown 1234:2345 "$m/d3/f1.txt"
        chown -R 999:999 "$m/d4"
        chmod 4755 "$m/d5/f1.txt"
        mkdir "$m/tmpdir" && chmod 1777 "$m/tmpdir"
        chmod 0600 "$m/d6/f1.txt"
        touch -h -d '2020-01-02 03:04:05' "$m/d7/f1.txt" "$m/link-out"
        mkdir -p "$m/cache/sub" && head -c 1000000 /dev/urandom > "$m/cache/sub/big.bin"
        echo tmp > "$m/d8/upload.tmp"
        mkfifo "$m/pipe"
        python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$m/sock"
        touch -d '2019-05-05 05:05:05' "$m/d9" "$m/emptydir"
        """;

    private DirectoryInfo _dir = null!;

    private string Source => Path.Combine(_dir.FullName, "src");

    [SetUp]
    public void CreateTree()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-files-");
        Directory.CreateDirectory(Path.Combine(Source, "media", "d1"));
        File.WriteAllText(Path.Combine(Source, "media", "d1", "f1.txt"), "1 1\n");
    }

    private void BuildFullTree() => Sh($"bash -c '{BuildTree.Replace("'", "'\\''", StringComparison.Ordinal)}' tree '{Source}'");

    [TearDown]
    public void RemoveTree() => _dir.Delete(recursive: true);

    [Test]
    public async Task Run_RealTreeWithEveryKindOfEntry_RestoresIdenticalByDiffAndStat()
    {
        BuildFullTree();
        using var services = Services();
        using var kit = new BackupTestKit(engines: services.GetRequiredService<BackupEngines>());
        var (job, errors) = Load(services, kit.Directory, $$"""
            "Paths": [ "{{Source}}/media" ], "Exclude": [ "**/*.tmp", "cache/**" ]
            """);
        Assert.That(errors, Is.Empty, string.Join("\n", errors));

        var result = await kit.Runner.RunAsync(kit.Request("media", job!), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.True, result.Message);
        Assert.That(Path.GetFileName(result.File!.Path), Does.Match(@"^media_\d{8}T\d{6}Z\.tar\.zst$"));
        var metadata = BackupMetadata.TryRead(result.File.Path + ".json")!;
        Assert.That(metadata.Verified, Is.True);
        Assert.That(metadata.VerifiedBy, Does.Contain("tar entries and bytes"));
        Assert.That(metadata.Facts!["skipped"].GetInt32(), Is.EqualTo(2), "the FIFO and the socket are left out and counted");
        var restore = Path.Combine(_dir.FullName, "restored");
        var restored = await kit.Restorer.RestoreIntoAsync("media", job!, result.File.Path, RestoreTarget.IntoDirectory(restore), kit.Directory, null, TestContext.CurrentContext.CancellationToken);
        Assert.That(restored.Success, Is.True, restored.Message);

        var copy = Path.Combine(restore, Source.TrimStart('/'), "media");
        Sh($"diff -r --no-dereference -x cache -x '*.tmp' -x pipe -x sock '{Source}/media' '{copy}'");
        var expected = Listing($"{Source}/media").Where(l => !l.StartsWith("cache", StringComparison.Ordinal) && !l.Contains(".tmp|", StringComparison.Ordinal)
            && !l.StartsWith("pipe|", StringComparison.Ordinal) && !l.StartsWith("sock|", StringComparison.Ordinal)).ToArray();
        var actual = Listing(copy);
        Assert.That(expected, Has.Length.GreaterThan(20_000));
        Assert.That(actual, Is.EqualTo(expected), "types, modes (setuid, sticky), owners, sizes, mtimes (directories' too), link targets and link counts");
        Assert.That(metadata.Facts["entries"].GetInt64(), Is.EqualTo(expected.Length + 1), "every entry below the root, and the root");
        Assert.That(Sh($"stat -c %i '{copy}/hard' '{copy}/d1/f2.txt' | uniq | wc -l").Trim(), Is.EqualTo("1"), "the hard link is one inode again");
        Assert.That(File.ResolveLinkTarget(Path.Combine(copy, "link-out"), false)?.FullName, Is.EqualTo("/etc/passwd"), "a link out of the tree is kept as a link, never followed");
    }

    [Test]
    public async Task Run_FileAppendedToDuringTheRun_SucceedsWithAWarningListingItAndAWellFormedArchive()
    {
        using var logs = new OpsAgent.Testing.CapturingLoggerProvider();
        using var services = Services(logs);
        using var kit = new BackupTestKit(engines: services.GetRequiredService<BackupEngines>());
        var log = Path.Combine(Source, "media", "app.log");
        await File.WriteAllBytesAsync(log, new byte[32 << 20]);
        var (job, _) = Load(services, kit.Directory, $$""" "Paths": [ "{{Source}}/media/app.log", "{{Source}}/media/d1" ], "Compression": "none" """);
        using var stop = new CancellationTokenSource();
        // An application writing its log while the backup reads it.
        var writer = Task.Run(async () =>
        {
            await using var append = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            while (!stop.IsCancellationRequested)
            {
                await append.WriteAsync(new byte[4096]);
                await append.FlushAsync();
                await Task.Yield();
            }
        });

        BackupRunResult result;
        try
        {
            result = await kit.Runner.RunAsync(kit.Request("media", job!), null, TestContext.CurrentContext.CancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        Assert.That(result.Success, Is.True, result.Message);
        var facts = BackupMetadata.TryRead(result.File!.Path + ".json")!.Facts!;
        Assert.That(facts["filesChangedCount"].GetInt32(), Is.EqualTo(1));
        Assert.That(facts["filesChanged"][0].GetString(), Is.EqualTo(log));
        Assert.That(logs.WithEvent("backup_files_changed").Single().Message, Does.Contain(log));
        Assert.That(Sh($"tar -tvf '{result.File.Path}' | grep -c 'app.log'").Trim(), Is.EqualTo("1"), "GNU tar reads the archive: the grown file was cut at the length its header gave");
    }

    [Test]
    public void Load_PathsThatCannotBeBackups_RefusedWithTheirPaths()
    {
        using var services = Services();
        var (_, errors) = Load(services, "/var/backups/media", """
            "Paths": [ "relative/media", "/proc/self", "/var/backups", "/" ], "Volume": "vol", "Exclude": [ "/abs/**" ], "Container": "web", "StopContainers": [ "bad name" ]
            """);

        Assert.That(errors.Select(e => e.Path), Is.SupersetOf(new[]
        {
            "OpsAgent:Backups:media:Paths", "OpsAgent:Backups:media:Paths:0", "OpsAgent:Backups:media:Paths:1", "OpsAgent:Backups:media:Paths:2", "OpsAgent:Backups:media:Paths:3",
            "OpsAgent:Backups:media:Exclude:0", "OpsAgent:Backups:media:Container", "OpsAgent:Backups:media:StopContainers:0",
        }), string.Join("\n", errors));
        Assert.That(errors.Single(e => e.Path == "OpsAgent:Backups:media:Paths:2").Message, Does.Contain("holds the job's own Directory"));
    }

    [Test]
    public async Task Drill_FilesBackup_ExtractsComparesWithTheRecordChecksPathsAndRemovesTheScratch()
    {
        Sh($"cd '{Source}/media' && mkdir -p uploads/2026 && for i in $(seq 1 300); do echo $i > uploads/2026/p$i.jpg; done && ln uploads/2026/p1.jpg uploads/first.jpg && ln -s 2026 uploads/latest");
        using var services = Services();
        using var kit = new BackupTestKit(engines: services.GetRequiredService<BackupEngines>());
        var (job, errors) = Load(services, kit.Directory, $$"""
            "Paths": [ "{{Source}}/media" ],
            "Drill": { "Schedule": "0 4 1 */3 *", "ExpectPaths": [ "{{Source.TrimStart('/')}}/media/uploads/2026/p300.jpg", "{{Source.TrimStart('/')}}/media/uploads/logo.png" ] }
            """);
        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        var request = kit.Request("media", job!);
        Assert.That((await kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken)).Success, Is.True);

        var missing = await kit.Drills.RunAsync(BackupTestKit.DrillRequest(request), null, TestContext.CurrentContext.CancellationToken);
        job!.Drill!.ExpectPaths.RemoveAt(1);
        var passing = await kit.Drills.RunAsync(BackupTestKit.DrillRequest(request), null, TestContext.CurrentContext.CancellationToken);

        Assert.That((missing.Success, missing.Reason), Is.EqualTo((false, "check_failed:paths")), missing.Message);
        Assert.That(missing.Checks.Single(c => c.Name == "paths").Value, Does.Contain("uploads/logo.png"));
        Assert.That(passing.Success, Is.True, $"{passing.Reason}: {passing.Message}");
        Assert.That(passing.Checks.Select(c => (c.Name, c.Ok)), Is.EqualTo(new[] { ("entries", true), ("bytes", true), ("paths", true) }));
        Assert.That(passing.Checks[0].Value, Is.EqualTo("307"), "the root, d1 and f1.txt, uploads, 2026, 300 files, the hard link, the symbolic link");
        Assert.That(Directory.Exists(Path.Combine(request.StateDirectory, "tmp")) ? Directory.GetFileSystemEntries(Path.Combine(request.StateDirectory, "tmp")) : [], Is.Empty, "both scratch directories removed");
    }
}
