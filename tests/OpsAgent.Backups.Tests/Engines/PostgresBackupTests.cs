using System.Diagnostics;
using System.Text;
using Npgsql;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Secrets;
using OpsAgent.Backups.Engines.Postgres;
using OpsAgent.Backups.Retention;

namespace OpsAgent.Backups.Tests.Engines;

/// <summary>Backups of a real PostgreSQL server with the real pg_dump/pg_restore.</summary>
// Real dumps and engines: a call that blocks (a tool or an exec that never ends) fails the test instead of hanging the run.
[NonParallelizable]
[CancelAfter(600_000)]
public sealed class PostgresBackupTests
{
    private const string SecretUser = "opsagent_backup_reader";
    private const string SecretPassword = "Sup3r-Secret-Backup-Pw-4471";

    /// <summary>Several tables, a large object and > 50 MB of data, created once for the fixture.</summary>
    private static string _big = null!;
    private BackupTestKit _kit = null!;

    [OneTimeSetUp]
    public async Task CreateBigDatabase()
    {
        _big = await TestPostgres.CreateDatabaseAsync("opsagent_big");
        await TestPostgres.ExecAsync(_big, """
            create table customers (id serial primary key, name text not null, email text, created timestamptz default now());
            insert into customers (name, email) select 'customer ' || g, 'c' || g || '@example.test' from generate_series(1, 20000) g;
            create table events (id bigserial primary key, customer int references customers(id), payload jsonb, body text);
            insert into events (customer, payload, body)
              select 1 + g % 20000, jsonb_build_object('n', g, 'kind', g % 7), repeat(md5(g::text) || md5((g * 7)::text), 4)
              from generate_series(1, 220000) g;
            create table secrets_table (id int primary key, note text);
            insert into secrets_table values (1, 'private');
            select lo_from_bytea(0, decode(repeat(md5('large object'), 20000), 'hex'));
            """);
        await TestPostgres.ExecAsync("postgres", $"""
            do $$ begin
              if not exists (select 1 from pg_roles where rolname = '{SecretUser}') then
                create role {SecretUser} login password '{SecretPassword}';
              end if;
            end $$;
            """);
        // The role may read every table, but row-level security hides secrets_table's rows from it: pg_dump (which
        // runs with row_security off) fails on that table after it has already written the others.
        await TestPostgres.ExecAsync(_big, $"""
            grant select on all tables in schema public to {SecretUser};
            grant select on all sequences in schema public to {SecretUser};
            alter table secrets_table enable row level security;
            do $$ declare o oid; begin
              for o in select oid from pg_largeobject_metadata loop
                execute format('grant select on large object %s to {SecretUser}', o);
              end loop;
            end $$;
            """);
        var size = await TestPostgres.ScalarAsync<long>(_big, "select pg_database_size(current_database())");
        Assert.That(size, Is.GreaterThan(50L << 20), "the seed must be over 50 MB");
    }

    [OneTimeTearDown]
    public async Task DropBigDatabase()
    {
        if (_big is not null)
        {
            await TestPostgres.DropDatabaseAsync(_big);
        }
    }

    [SetUp]
    public void SetUp() => _kit = new BackupTestKit();

    [TearDown]
    public void TearDown() => _kit.Dispose();

    private static BackupJobOptions Job(string database, string? connection = null) => new()
    {
        Engine = "postgres",
        Connection = new SecretReference { Value = connection ?? TestPostgres.For(database) },
    };

    [Test]
    public async Task Run_BigDatabase_RestoresIntoNewDatabaseWithIdenticalContents()
    {
        var job = Job(_big);
        var result = await _kit.Runner.RunAsync(_kit.Request("big", job), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.True, result.Message);
        var file = result.File!;
        Assert.That(file.FileName, Does.Match(@"^big_\d{8}T\d{6}Z\.dump\.zst$"));
        Assert.That(_kit.FilesInDirectory(), Is.EqualTo(new[] { file.FileName, file.FileName + ".json", file.FileName + ".sha256" }));
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(file.Path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }

        var metadata = BackupMetadata.TryRead(file.MetadataPath)!;
        Assert.That(metadata.Verified, Is.True);
        Assert.That(metadata.ToolVersion, Does.StartWith("pg_dump (PostgreSQL)"));
        Assert.That(metadata.Database, Is.EqualTo(_big));
        Assert.That(metadata.UncompressedBytes, Is.GreaterThan(metadata.SizeBytes));
        Assert.That(await RunSha256SumAsync(file), Is.EqualTo($"{file.FileName}: OK"), "the .sha256 is in sha256sum -c format");

        var copy = await TestPostgres.CreateDatabaseAsync("opsagent_restored");
        await TestPostgres.DropDatabaseAsync(copy);
        try
        {
            var restore = await _kit.Restorer.RestoreAsync("big", job, file.Path, copy, _kit.Directory, null, TestContext.CurrentContext.CancellationToken);
            Assert.That(restore.Success, Is.True, restore.Message);
            var original = await TestPostgres.FingerprintAsync(_big);
            var restored = await TestPostgres.FingerprintAsync(copy);
            Assert.That(restored, Is.EqualTo(original));
            Assert.That(original["largeobjects"], Does.StartWith("1:"));
            Assert.That(original["public.events"], Does.StartWith("220000:"));
            TestContext.Out.WriteLine($"dump of {await TestPostgres.ScalarAsync<long>(_big, "select pg_database_size(current_database())")} bytes database: {metadata.UncompressedBytes} bytes raw, {metadata.SizeBytes} bytes zstd, {metadata.DurationSeconds}s");
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(copy);
        }
    }

    private static async Task<string> RunSha256SumAsync(BackupFile file)
    {
        using var process = Process.Start(new ProcessStartInfo("sha256sum", ["-c", Path.GetFileName(file.ChecksumPath)])
        {
            WorkingDirectory = Path.GetDirectoryName(file.Path)!,
            RedirectStandardOutput = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }

    [Test]
    public async Task Run_PlainGzipWithGlobals_RestoresWithPsqlAndDumpsRoles()
    {
        var db = await TestPostgres.CreateDatabaseAsync("opsagent_plain");
        var copy = db + "_copy";
        try
        {
            await TestPostgres.ExecAsync(db, "create table notes (id int primary key, text text); insert into notes select g, 'note ' || g from generate_series(1, 500) g;");
            var job = Job(db);
            job.Settings = new PostgresEngineOptions { Format = DumpFormat.Plain, Globals = true };
            job.Compression = BackupCompression.Gzip;

            var result = await _kit.Runner.RunAsync(_kit.Request("plain", job), null, TestContext.CurrentContext.CancellationToken);

            Assert.That(result.Success, Is.True, result.Message);
            Assert.That(result.File!.FileName, Does.EndWith(".sql.gz"));
            var globals = result.File.Path + ".globals.sql.gz";
            Assert.That(File.Exists(globals), Is.True);
            await using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(globals), System.IO.Compression.CompressionMode.Decompress))
            using (var reader = new StreamReader(gz))
            {
                Assert.That(await reader.ReadToEndAsync(), Does.Contain($"CREATE ROLE {SecretUser}"));
            }

            Assert.That(File.ReadAllLines(result.File.ChecksumPath), Has.Length.EqualTo(2), "one checksum line per file");

            var restore = await _kit.Restorer.RestoreAsync("plain", job, result.File.Path, copy, _kit.Directory, null, TestContext.CurrentContext.CancellationToken);
            Assert.That(restore.Success, Is.True, restore.Message);
            Assert.That(await TestPostgres.FingerprintAsync(copy), Is.EqualTo(await TestPostgres.FingerprintAsync(db)));
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(db);
            await TestPostgres.DropDatabaseAsync(copy);
        }
    }

    [Test]
    public async Task Run_RoleCannotReadOneTable_FailsWithPgDumpReasonAndKeepsPreviousBackups()
    {
        // A fake clock: the second run gets its own file name by advancing it, not by waiting for a new second.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var kit = new BackupTestKit(clock);
        // Two good backups first (as the superuser), with a retention policy that would delete one if it ran.
        var good = Job(_big);
        good.Retention = new RetentionOptions { KeepLast = 1, KeepWithin = new RetentionDuration(0, 0, 30, 0) };
        var first = await kit.Runner.RunAsync(kit.Request("guarded", good), null, TestContext.CurrentContext.CancellationToken);
        Assert.That(first.Success, Is.True, first.Message);
        var before = kit.FilesInDirectory().ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(kit.Directory, f)));

        var limited = Job(_big, TestPostgres.For(_big, SecretUser, SecretPassword));
        limited.Retention = new RetentionOptions { KeepLast = 1 };
        clock.Advance(TimeSpan.FromSeconds(1));
        var result = await kit.Runner.RunAsync(kit.Request("guarded", limited), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.False);
        Assert.That(result.Reason, Is.EqualTo("tool_failed"));
        Assert.That(result.Message, Does.Contain("row-level security").And.Contain("secrets_table"));
        Assert.That(kit.FilesInDirectory(), Is.EqualTo(before.Keys.Order(StringComparer.Ordinal)), "no partial left, no retention run");
        foreach (var (name, bytes) in before)
        {
            Assert.That(File.ReadAllBytes(Path.Combine(kit.Directory, name)), Is.EqualTo(bytes), name);
        }

        var failed = kit.Logs.WithEvent("backup_failed").Single();
        Assert.That(failed.Properties["Reason"], Is.EqualTo("tool_failed"));
        Assert.That(failed.Properties["Stderr"]?.ToString(), Does.Contain("row-level security"));
        Assert.That(kit.State.All["guarded"].Failures, Is.EqualTo(1));
    }

    [Test]
    public async Task Run_WaitedForADumpSlot_DurationIsTheDumpsOwnAndTheWaitIsLogged()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var kit = new BackupTestKit(clock);
        var db = await TestPostgres.CreateDatabaseAsync("opsagent_slot");
        try
        {
            await TestPostgres.ExecAsync(db, "create table t as select g from generate_series(1, 100) g");
            var held = await kit.Slots.AcquireAsync(1, TestContext.CurrentContext.CancellationToken);

            // Everything before the slot wait is synchronous, so the run is waiting when RunAsync returns.
            var run = kit.Runner.RunAsync(kit.Request("queued", Job(db)), null, TestContext.CurrentContext.CancellationToken);
            Assert.That(kit.Logs.AllText, Does.Contain("waiting for a free slot"));
            clock.Advance(TimeSpan.FromSeconds(60));
            held.Dispose();
            var result = await run;

            Assert.That(result.Success, Is.True, result.Message);
            Assert.That(result.File!.Metadata!.DurationSeconds, Is.LessThan(60), "the .json records the dump's own time");
            Assert.That(kit.State.All["queued"].LastDurationSeconds, Is.LessThan(60), "opsagent_backup_last_duration_seconds is the dump's own time");
            var waited = kit.Logs.WithEvent("backup_slot_acquired").Single();
            Assert.That(waited.Properties["WaitedSeconds"], Is.EqualTo(60.0), "the wait goes to the journal");
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(db);
        }
    }

    [TestCase(VerifyMode.Basic, "basic: sha256, zstd, pg_restore --list")]
    [TestCase(VerifyMode.Full, "full: sha256, zstd, pg_restore")]
    public async Task Run_VerifyDepth_VerifiedBySaysBasicOrFull(VerifyMode mode, string verifiedBy)
    {
        var db = await TestPostgres.CreateDatabaseAsync("opsagent_depth");
        try
        {
            await TestPostgres.ExecAsync(db, "create table t as select g from generate_series(1, 100) g");
            var job = Job(db);
            job.Verify = mode;

            var result = await _kit.Runner.RunAsync(_kit.Request("depth", job), null, TestContext.CurrentContext.CancellationToken);

            Assert.That(result.Success, Is.True, result.Message);
            var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(result.File!.MetadataPath));
            Assert.That(json.RootElement.GetProperty("verifiedBy").GetString(), Is.EqualTo(verifiedBy));
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(db);
        }
    }

    [Test]
    public async Task Run_DatabaseNotListening_FailsWithUnreachableReason()
    {
        var job = Job("postgres", "Host=127.0.0.1;Port=1;Username=postgres;Password=x;Database=postgres;Timeout=3");

        var result = await _kit.Runner.RunAsync(_kit.Request("down", job), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.False);
        Assert.That(result.Reason, Is.EqualTo("database_unreachable"));
        Assert.That(result.Message, Does.Contain("127.0.0.1"));
        Assert.That(_kit.FilesInDirectory(), Is.Empty);
    }

    [Test]
    public async Task Run_DumpBlockedPastTimeout_KillsPgDumpAndLeavesNothing()
    {
        var marker = "opsagent-timeout-" + Guid.NewGuid().ToString("N")[..8];
        await using var blocker = new NpgsqlConnection(TestPostgres.For(_big));
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockCommand = new NpgsqlCommand("lock table customers in access exclusive mode", blocker, tx))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }

        var job = Job(_big, TestPostgres.For(_big) + $";Application Name={marker}");
        job.Timeout = TimeSpan.FromSeconds(3);
        var run = _kit.Runner.RunAsync(_kit.Request("slow", job), null, TestContext.CurrentContext.CancellationToken);

        var pid = await WaitForToolAsync(marker, run);
        Assert.That(pid, Is.Not.Null, "pg_dump started and blocked on the lock");
        var cmdline = await File.ReadAllTextAsync($"/proc/{pid}/cmdline");
        Assert.That(cmdline, Does.Contain("pg_dump").And.Not.Contain(TestPostgres.For(_big).Split("Password=")[1].Split(';')[0]), "no password on the command line");

        var result = await run;

        Assert.That(result.Success, Is.False);
        Assert.That(result.Reason, Is.EqualTo("timeout"));
        Assert.That(ProcessesWithMarker(marker), Is.Empty, "no stray pg_dump");
        Assert.That(_kit.FilesInDirectory(), Is.Empty, "the partial is removed");
        await tx.RollbackAsync();
    }

    [Test]
    public async Task Run_SecretPassword_NeverInLogsSidecarsOrToolCommandLine()
    {
        var marker = "opsagent-secret-" + Guid.NewGuid().ToString("N")[..8];
        var connection = $"postgresql://{SecretUser}:{Uri.EscapeDataString(SecretPassword)}@127.0.0.1:{new NpgsqlConnectionStringBuilder(TestPostgres.Admin).Port}/{_big}?application_name={marker}";
        await using var blocker = new NpgsqlConnection(TestPostgres.For(_big));
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockCommand = new NpgsqlCommand("lock table customers in access exclusive mode", blocker, tx))
        {
            await lockCommand.ExecuteNonQueryAsync();
        }

        var job = Job(_big, connection);
        var run = _kit.Runner.RunAsync(_kit.Request("secret", job), null, TestContext.CurrentContext.CancellationToken);
        var pid = await WaitForToolAsync(marker, run);
        Assert.That(pid, Is.Not.Null);
        var cmdline = Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{pid}/cmdline"));
        await tx.RollbackAsync();
        var result = await run;

        Assert.That(cmdline, Does.Not.Contain(SecretPassword));
        // The role cannot read secrets_table, so the run fails: its failure path is checked too.
        Assert.That(result.Success, Is.False);
        Assert.That(result.Message, Does.Not.Contain(SecretPassword));
        Assert.That(_kit.Logs.AllText, Does.Not.Contain(SecretPassword));

        await TestPostgres.ExecAsync(_big, "alter table secrets_table disable row level security");
        try
        {
            var ok = await _kit.Runner.RunAsync(_kit.Request("secret", job), null, TestContext.CurrentContext.CancellationToken);
            Assert.That(ok.Success, Is.True, ok.Message);
            Assert.That(await File.ReadAllTextAsync(ok.File!.MetadataPath), Does.Not.Contain(SecretPassword).And.Not.Contain(SecretUser + ":"));
            Assert.That(_kit.Logs.AllText, Does.Not.Contain(SecretPassword));
        }
        finally
        {
            await TestPostgres.ExecAsync(_big, "alter table secrets_table enable row level security");
        }
    }

    [Test]
    public async Task Run_DirectoryOnFullTmpfs_FailsWithNoSpaceAndKeepsOlderBackups()
    {
        // A fake clock: the second run gets its own file name by advancing it, not by waiting for a new second.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var kit = new BackupTestKit(clock);
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Assert.Ignore("needs root on Linux to mount a small tmpfs");
        }

        var mount = Path.Combine(kit.Directory, "small");
        Directory.CreateDirectory(mount);
        Assert.That(await ShAsync($"mount -t tmpfs -o size=4m opsagent-test-tmpfs '{mount}'"), Is.Zero);
        try
        {
            var small = await TestPostgres.CreateDatabaseAsync("opsagent_small");
            try
            {
                await TestPostgres.ExecAsync(small, "create table t (id int); insert into t select generate_series(1, 100);");
                var tiny = Job(small);
                tiny.Directory = mount;
                tiny.Retention = new RetentionOptions { KeepLast = 1 };
                var first = await kit.Runner.RunAsync(kit.Request("full", tiny), null, TestContext.CurrentContext.CancellationToken);
                Assert.That(first.Success, Is.True, first.Message);
            }
            finally
            {
                await TestPostgres.DropDatabaseAsync(small);
            }

            var before = kit.FilesInDirectory(mount);
            clock.Advance(TimeSpan.FromSeconds(1));
            var big = Job(_big);
            big.Directory = mount;
            big.Retention = new RetentionOptions { KeepLast = 1 };
            var result = await kit.Runner.RunAsync(kit.Request("full", big), null, TestContext.CurrentContext.CancellationToken);

            Assert.That(result.Success, Is.False);
            Assert.That(result.Reason, Is.EqualTo("no_space"), result.Message);
            Assert.That(result.Message, Does.Contain("No space left").IgnoreCase.Or.Contain("no space"));
            Assert.That(kit.FilesInDirectory(mount), Is.EqualTo(before), "older backup, its checksum and metadata intact; no partial");
            var published = BackupFileNames.Scan(mount, "full")[0].Path;
            var verify = await Verification.BackupVerifier.VerifyAsync(published, ContentChecks.For(published), null, null, null, TestContext.CurrentContext.CancellationToken);
            Assert.That(verify.Ok, Is.True, verify.Message);
        }
        finally
        {
            await ShAsync($"umount '{mount}'");
        }
    }

    private static async Task<int> ShAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("sh", ["-c", command]))!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>The tool's pid once it runs, or null when the run ended first.</summary>
    private static async Task<int?> WaitForToolAsync(string marker, Task run)
    {
        int? pid = null;
        // Polled often: the tool is only caught while it runs.
        await Eventually.WaitAsync(() => (pid = ProcessesWithMarker(marker) is [var found, ..] ? found : null) is not null || run.IsCompleted,
            $"the tool with {marker} to start", interval: TimeSpan.FromMilliseconds(20));
        return pid;
    }

    /// <summary>Processes whose environment carries <paramref name="marker"/> (the application name passed as PGAPPNAME).</summary>
    private static List<int> ProcessesWithMarker(string marker)
    {
        var result = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "environ"))).Contains(marker, StringComparison.Ordinal))
                {
                    result.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return result;
    }
}
