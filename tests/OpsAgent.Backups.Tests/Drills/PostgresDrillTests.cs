using OpsAgent.Backups.Drills;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Secrets;
using OpsAgent.Testing;

namespace OpsAgent.Backups.Tests.Drills;

/// <summary>
/// Drills of real PostgreSQL backups on the host, as the application's own role (CREATEDB, not a superuser): a 100 MB
/// database that restores, a backup missing a table (dumped with --exclude-table, its .sha256 valid), and the scratch
/// database gone afterwards in every case, as <c>psql -l</c> sees it.
/// </summary>
[TestFixture]
[Platform("Linux")]
public sealed class PostgresDrillTests
{
    private const string Role = "opsagent_drill_app";
    private const string Password = "drill-secret";
    private string _database = null!;
    private DirectoryInfo _tools = null!;

    [OneTimeSetUp]
    public async Task CreateLargeDatabase()
    {
        await TestPostgres.ExecAsync("postgres", $"""
            do $$ begin
              if not exists (select 1 from pg_roles where rolname = '{Role}') then
                create role {Role} login password '{Password}' nosuperuser createdb nocreaterole;
              end if;
            end $$;
            """);
        _database = "opsagent_drill_" + Guid.NewGuid().ToString("N")[..6];
        await TestPostgres.ExecAsync("postgres", $"create database {_database} owner {Role}");
        // About 110 MB of rows: past every pipe's buffer, as the seeds' databases are.
        await TestPostgres.ExecAsync(_database, $"""
            set role {Role};
            create table django_migrations (id serial primary key, app text, name text, applied timestamptz default now());
            insert into django_migrations (app, name) select 'app' || g, 'migration' || g from generate_series(1, 40) g;
            create table auth_user (id serial primary key, username text unique, email text);
            insert into auth_user (username, email) select 'user' || g, 'user' || g || '@example.org' from generate_series(1, 2000) g;
            create table orders (id bigint primary key, body text);
            insert into orders select g, repeat(md5(g::text), 7) from generate_series(1, 450000) g;
            analyze;
            """);
        // PostgreSQL 15 keeps a backend's table counts until it is idle, then flushes them up to 10 s later (sooner on
        // disconnect): the dump reads pg_stat_user_tables, so the rows must be there first (the CI of 426ccc0 read 0).
        await Eventually.WaitAsync(
            async () => await TestPostgres.ScalarAsync<long>(_database, "select coalesce(sum(n_live_tup), 0)::bigint from pg_stat_user_tables") == 452_040,
            "pg_stat_user_tables to count the inserted rows",
            Eventually.Slow);

        // A pg_dump that leaves out one table, beside links to the real tools: the agent writes and checks a valid backup of it.
        // The versioned binary, not Debian's pg_wrapper on PATH (which finds no cluster from a directory of its own).
        var pgDump = Directory.GetFiles("/usr/lib/postgresql", "pg_dump", SearchOption.AllDirectories).Max(StringComparer.Ordinal)!;
        var real = new FileInfo(pgDump).ResolveLinkTarget(true)?.FullName ?? pgDump;
        _tools = Directory.CreateTempSubdirectory("opsagent-excluding-");
        var wrapper = Path.Combine(_tools.FullName, "pg_dump");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\n[ \"$1\" = --version ] && exec '{real}' --version\nexec '{real}' --exclude-table=auth_user \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        foreach (var tool in new[] { "pg_restore", "psql", "createdb" })
        {
            File.CreateSymbolicLink(Path.Combine(_tools.FullName, tool), Path.Combine(Path.GetDirectoryName(real)!, tool));
        }
    }

    [OneTimeTearDown]
    public async Task DropDatabase()
    {
        // A drill that left its scratch behind has failed its test already; the server is shared, so it goes too.
        foreach (var left in await DrillDatabasesAsync(_database))
        {
            await TestPostgres.DropDatabaseAsync(left);
        }

        await TestPostgres.DropDatabaseAsync(_database);
        _tools.Delete(recursive: true);
    }

    private static readonly string[] NoDrills = [];

    private static async Task<string[]> DrillDatabasesAsync(string database)
        => (await TestPostgres.ScalarAsync<string>("postgres", $"select coalesce(string_agg(datname, ','), '') from pg_database where datname like '{database}\\_drill\\_%'"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries);

    private BackupJobOptions Job(string extra = "") => new()
    {
        Engine = "postgres",
        Connection = new SecretReference { Value = TestPostgres.For(_database, Role, Password) },
        Compression = BackupCompression.Zstd,
        CompressionLevel = 1,
        Settings = new Backups.Engines.Postgres.PostgresEngineOptions { PgDumpPath = extra.Length == 0 ? null : Path.Combine(_tools.FullName, "pg_dump") },
        Drill = new DrillOptions
        {
            Schedule = "0 4 1 */3 *",
            Checks =
            [
                new DrillCheckOptions { Query = "select count(*) from django_migrations", AtLeast = 1 },
                new DrillCheckOptions { Query = "select count(*) from auth_user", AtLeast = 1 },
            ],
        },
    };

    [Test]
    public async Task Drill_Real100MbBackupOnTheHost_RestoresChecksAndDropsTheScratchDatabase()
    {
        using var kit = new BackupTestKit();
        var request = kit.Request("sims-db", Job());
        var backup = await kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken);
        Assert.That(backup.Success, Is.True, backup.Message);
        Assert.That(backup.File!.Metadata!.UncompressedBytes, Is.GreaterThan(100L << 20));
        Assert.That(backup.File.Metadata.Facts!["rowEstimates"].GetProperty("public.orders").GetInt64(), Is.EqualTo(450_000), "the dump records pg_stat_user_tables' estimates");

        var result = await kit.Drills.RunAsync(BackupTestKit.DrillRequest(request), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.True, $"{result.Reason}: {result.Message}");
        Assert.That(result.Scratch, Does.Match($"^{_database}_drill_\\d{{14}}$"));
        Assert.That(result.Checks.Select(c => c.ToString()), Is.EqualTo(new[]
        {
            "1: select count(*) from django_migrations = 40 (at least 1) ok",
            "2: select count(*) from auth_user = 2000 (at least 1) ok",
            "row_counts = 3 tables, 452040 rows as recorded (every table the dump recorded, within 10 % (or 10 rows) of its estimate) ok",
        }));
        Assert.That(await DrillDatabasesAsync(_database), Is.EqualTo(NoDrills), "the scratch database is dropped");
        var succeeded = kit.Logs.WithEvent("drill_succeeded").Single();
        Assert.That(succeeded.Message, Does.Contain("auth_user = 2000"));
        var state = DrillStateStore.Read(request.StateDirectory, "sims-db");
        Assert.That((state.LastResult, state.Counts!["public.orders"], state.LastRestoredBytes), Is.EqualTo(("success", 450_000L, backup.File.Metadata.UncompressedBytes)));
        Assert.That(await TestPostgres.ScalarAsync<long>(_database, "select count(*) from orders"), Is.EqualTo(450_000), "the original is untouched");
    }

    [Test]
    public async Task Drill_BackupDumpedWithoutATable_FailsItsCheckWithTheValueInTheJournalAndDropsTheScratch()
    {
        using var kit = new BackupTestKit();
        var request = kit.Request("sims-db", Job("excluding"));
        var backup = await kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken);
        Assert.That(backup.Success, Is.True, "the checksum and pg_restore --list cannot tell: " + backup.Message);

        var result = await kit.Drills.RunAsync(BackupTestKit.DrillRequest(request), null, TestContext.CurrentContext.CancellationToken);

        Assert.That((result.Success, result.Reason), Is.EqualTo((false, "check_failed:2")), result.Message);
        Assert.That(result.Checks[1].Value, Does.Contain("auth_user").And.Contain("does not exist"));
        Assert.That(result.Checks[2].ToString(), Does.StartWith("row_counts = missing: public.auth_user").And.EndWith("FAILED"));
        var failed = kit.Logs.WithEvent("drill_failed").Single();
        Assert.That(failed.Message, Does.Contain("check_failed:2").And.Contain("auth_user").And.Contain("removed"));
        Assert.That(await DrillDatabasesAsync(_database), Is.EqualTo(NoDrills));
    }

    [Test]
    public async Task Drill_KeepOnFailure_KeepsAndNamesTheScratchThenANameThatExistsIsRefusedUntouched()
    {
        using var kit = new BackupTestKit();
        var job = Job("excluding");
        job.Drill!.KeepOnFailure = true;
        var request = kit.Request("sims-db", job);
        Assert.That((await kit.Runner.RunAsync(request, null, TestContext.CurrentContext.CancellationToken)).Success, Is.True);
        string[] kept = [];
        try
        {
            var first = await kit.Drills.RunAsync(BackupTestKit.DrillRequest(request), null, TestContext.CurrentContext.CancellationToken);
            kept = await DrillDatabasesAsync(_database);

            Assert.That((first.Success, first.Kept), Is.EqualTo((false, true)));
            Assert.That(kept, Is.EqualTo(new[] { first.Scratch }), "kept, as named");
            Assert.That(kit.Logs.WithEvent("drill_failed").Single().Message, Does.Contain($"scratch {first.Scratch} kept (KeepOnFailure)"));
        }
        finally
        {
            foreach (var database in kept)
            {
                await TestPostgres.DropDatabaseAsync(database);
            }
        }
    }

    [Test]
    public async Task Drill_NoBackup_FailsNoBackupCreatingNothing()
    {
        using var kit = new BackupTestKit();
        var request = kit.Request("sims-db", Job());

        var result = await kit.Drills.RunAsync(BackupTestKit.DrillRequest(request), null, TestContext.CurrentContext.CancellationToken);

        Assert.That((result.Success, result.Reason, result.Scratch), Is.EqualTo((false, "no_backup", (string?)null)));
        Assert.That(await DrillDatabasesAsync(_database), Is.EqualTo(NoDrills));
    }
}
