using Npgsql;
using OpsAgent.Backups.Files;
using OpsAgent.Backups.Tests.Support;
using OpsAgent.Core.Secrets;
using OpsAgent.Backups.Engines.Postgres;

namespace OpsAgent.Backups.Tests.Restore;

/// <summary>
/// Backups and restores as the application's own role, as the seeds run them: it owns its database, is no superuser
/// and may not create databases.
/// </summary>
// Real dumps and engines: a call that blocks (a tool or an exec that never ends) fails the test instead of hanging the run.
[NonParallelizable]
[CancelAfter(600_000)]
public sealed class ApplicationRoleTests
{
    private const string Role = "opsagent_app_role";
    private const string Password = "App-Role-Pw-5521";
    private string _database = null!;
    private string _drill = null!;
    private BackupTestKit _kit = null!;
    private readonly List<string> _own = [];

    [OneTimeSetUp]
    public async Task CreateApplicationDatabase()
    {
        await TestPostgres.ExecAsync("postgres", $"""
            do $$ begin
              if not exists (select 1 from pg_roles where rolname = '{Role}') then
                create role {Role} login password '{Password}' nosuperuser nocreatedb nocreaterole;
              end if;
            end $$;
            """);
        _database = "opsagent_app_" + Guid.NewGuid().ToString("N")[..6];
        _drill = _database + "_drill";
        await TestPostgres.ExecAsync("postgres", $"create database {_database} owner {Role}");
        // The drill database exists already, created by the DBA: the role cannot create one.
        await TestPostgres.ExecAsync("postgres", $"create database {_drill} owner {Role}");
        await SeedAsync(_database);
    }

    private static async Task SeedAsync(string database) => await AsRoleAsync(database, """
        create table orders (id int primary key, note text);
        insert into orders select g, md5(g::text) from generate_series(1, 5000) g;
        create table lines (id int primary key, order_id int references orders(id), qty int);
        insert into lines select g, 1 + g % 5000, g % 7 from generate_series(1, 20000) g;
        """);

    /// <summary>A database of its own for a test that restores over the original.</summary>
    private async Task<string> OwnDatabaseAsync()
    {
        var name = "opsagent_app_" + Guid.NewGuid().ToString("N")[..8];
        await TestPostgres.ExecAsync("postgres", $"create database {name} owner {Role}");
        _own.Add(name);
        await SeedAsync(name);
        return name;
    }

    [OneTimeTearDown]
    public async Task DropApplicationDatabase()
    {
        if (_database is not null)
        {
            await TestPostgres.DropDatabaseAsync(_database);
            await TestPostgres.DropDatabaseAsync(_drill);
        }
    }

    [SetUp]
    public void SetUp() => _kit = new BackupTestKit();

    [TearDown]
    public async Task TearDown()
    {
        _kit.Dispose();
        foreach (var database in _own)
        {
            await TestPostgres.DropDatabaseAsync(database);
        }

        _own.Clear();
    }

    private static string AsRole(string database) => TestPostgres.For(database, Role, Password);

    private static async Task AsRoleAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(AsRole(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(string database, string table)
        => await TestPostgres.ScalarAsync<long>(database, $"select count(*) from {table}");

    private BackupJobOptions Job(DumpFormat format = DumpFormat.Custom, bool globals = false, string? database = null) => new()
    {
        Engine = "postgres",
        Settings = new PostgresEngineOptions { Format = format, Globals = globals },
        Connection = new SecretReference { Value = AsRole(database ?? _database) },
    };

    [Test]
    public async Task Run_GlobalsAsNonSuperuser_DumpsRolesWithoutPasswordsAndSaysSo()
    {
        var result = await _kit.Runner.RunAsync(_kit.Request("appglobals", Job(globals: true)), null, TestContext.CurrentContext.CancellationToken);

        Assert.That(result.Success, Is.True, $"{result.Reason}: {result.Message}");
        var metadata = BackupMetadata.TryRead(result.File!.MetadataPath)!;
        Assert.That(metadata.GlobalsFile, Is.Not.Null);
        Assert.That(metadata.Fact("globalsWithoutRolePasswords"), Is.True, "the .json says the roles carry no passwords");
        var globals = await ReadDecompressedAsync(Path.Combine(_kit.Directory, metadata.GlobalsFile!));
        Assert.That(globals, Does.Contain($"CREATE ROLE {Role}"));
        Assert.That(globals, Does.Not.Contain("SCRAM-SHA-256$"), "no password hashes");
    }

    [Test]
    public async Task Restore_IntoExistingDatabaseWithoutCreatedb_RestoresThenRefusesASecondWithoutClean()
    {
        var backup = await _kit.Runner.RunAsync(_kit.Request("appdrill", Job()), null, TestContext.CurrentContext.CancellationToken);
        Assert.That(backup.Success, Is.True, backup.Message);

        var first = await _kit.Restorer.RestoreAsync("appdrill", Job(), backup.File!.Path, _drill, clean: false, _kit.Directory, null, TestContext.CurrentContext.CancellationToken);
        Assert.That(first.Success, Is.True, $"{first.Reason}: {first.Message}");
        Assert.That(await CountAsync(_drill, "lines"), Is.EqualTo(await CountAsync(_database, "lines")));

        var second = await _kit.Restorer.RestoreAsync("appdrill", Job(), backup.File.Path, _drill, clean: false, _kit.Directory, null, TestContext.CurrentContext.CancellationToken);
        Assert.That(second.Success, Is.False);
        Assert.That(second.Reason, Is.EqualTo("target_not_empty"), second.Message);
        Assert.That(second.Message, Does.Contain("--clean"));

        var cleaned = await _kit.Restorer.RestoreAsync("appdrill", Job(), backup.File.Path, _drill, clean: true, _kit.Directory, null, TestContext.CurrentContext.CancellationToken);
        Assert.That(cleaned.Success, Is.True, $"{cleaned.Reason}: {cleaned.Message}");
        Assert.That(await CountAsync(_drill, "orders"), Is.EqualTo(5000));
    }

    [TestCase(DumpFormat.Custom)]
    [TestCase(DumpFormat.Plain)]
    public async Task Restore_OverTheOriginal_ReplacesItsContents(DumpFormat format)
    {
        var database = await OwnDatabaseAsync();
        var job = Job(format, database: database);
        var backup = await _kit.Runner.RunAsync(_kit.Request("appover", job), null, TestContext.CurrentContext.CancellationToken);
        Assert.That(backup.Success, Is.True, backup.Message);
        await AsRoleAsync(database, "delete from lines where id > 10000; insert into orders values (99999, 'after the backup')");

        var restore = await _kit.Restorer.RestoreAsync("appover", job, backup.File!.Path, null, clean: false, _kit.Directory, null, TestContext.CurrentContext.CancellationToken);

        Assert.That(restore.Success, Is.True, $"{restore.Reason}: {restore.Message}");
        Assert.That(await CountAsync(database, "lines"), Is.EqualTo(20000));
        Assert.That(await CountAsync(database, "orders"), Is.EqualTo(5000));
    }

    [TestCase(DumpFormat.Custom)]
    [TestCase(DumpFormat.Plain)]
    public async Task Restore_OverTheOriginalFailingHalfWay_LeavesTheOriginalAsItWas(DumpFormat format)
    {
        var database = await OwnDatabaseAsync();
        var job = Job(format, database: database);
        var backup = await _kit.Runner.RunAsync(_kit.Request("apphalf", job), null, TestContext.CurrentContext.CancellationToken);
        Assert.That(backup.Success, Is.True, backup.Message);
        await AsRoleAsync(database, "insert into orders values (88888, 'after the backup')");
        // An object the role does not own depends on orders: the restore drops lines, then fails to drop orders.
        await TestPostgres.ExecAsync(database, "create view dba_report as select count(*) from orders");

        var restore = await _kit.Restorer.RestoreAsync("apphalf", job, backup.File!.Path, null, clean: false, _kit.Directory, null, TestContext.CurrentContext.CancellationToken);

        Assert.That(restore.Success, Is.False, "the restore fails half-way");
        Assert.That(restore.Message, Does.Contain("dba_report").Or.Contain("depend"));
        Assert.That(await CountAsync(database, "orders"), Is.EqualTo(5001), "the original is untouched");
        Assert.That(await CountAsync(database, "lines"), Is.EqualTo(20000));
    }

    private static async Task<string> ReadDecompressedAsync(string path)
    {
        await using var file = File.OpenRead(path);
        await using var plain = Compression.Decompress(file, BackupFileNames.CompressionOf(path));
        using var reader = new StreamReader(plain);
        return await reader.ReadToEndAsync();
    }
}
