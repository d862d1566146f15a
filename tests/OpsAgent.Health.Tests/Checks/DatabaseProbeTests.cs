using System.Diagnostics;
using System.Globalization;
using OpsAgent.Core.Secrets;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Checks.MongoDb;
using OpsAgent.Health.Checks.Postgres;

namespace OpsAgent.Health.Tests.Checks;

/// <summary>PostgreSQL and MongoDB probes against real servers.</summary>
public sealed class DatabaseProbeTests
{
    private const string Postgres = "postgres";
    private const string MongoDb = "mongodb";

    private static async Task<ProbeResult> RunAsync(string type, string connection, string? query = null)
    {
        var secrets = new SecretResolver(SecretRedactor.Shared);
        var reference = new SecretReference { Value = connection };
        var options = new ProbeOptions
        {
            Type = type,
            Settings = type == Postgres ? new PostgresProbeOptions { Connection = reference, Query = query } : new MongoProbeOptions { Connection = reference },
            Timeout = TimeSpan.FromSeconds(5),
        };
        using var mongo = new MongoProbe(secrets);
        return await new ProbeRunner(new ProbeTypes([KeyValuePair.Create<string, IProbeCheck>(Postgres, new PostgresProbe(secrets)), KeyValuePair.Create<string, IProbeCheck>(MongoDb, mongo)]))
            .RunAsync("db", options, CancellationToken.None);
    }

    /// <summary>Where Debian and Ubuntu install the PostgreSQL server, one directory per major version.</summary>
    internal const string PostgresServerRoot = "/usr/lib/postgresql";

    /// <summary>The newest installed server's bin directory (with <c>initdb</c>); the test is skipped, saying why, where there is none.</summary>
    internal static string PostgresServerBin(string root)
    {
        var bins = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderBy(b => double.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), NumberStyles.Float, CultureInfo.InvariantCulture, out var major) ? major : 0).ToList()
            : [];
        if (bins.Count == 0)
        {
            Assert.Ignore($"no PostgreSQL server (initdb) under {root}: install postgresql to run a server this test can stop");
        }

        return bins[^1];
    }

    [Test]
    public void PostgresServerBin_NoServerUnderTheRoot_SkipsSayingWhy()
    {
        var missing = Path.Combine(Path.GetTempPath(), "opsagent-no-postgresql-" + Guid.NewGuid().ToString("N"));

        var skipped = Assert.Throws<IgnoreException>(() => PostgresServerBin(missing));

        Assert.That(skipped!.Message, Does.Contain($"no PostgreSQL server (initdb) under {missing}"));
    }

    [Test]
    public async Task Postgres_RunningServer_SucceedsAndQueryMustReturnARow()
    {
        var pg = TestEnvironment.Require("OPSAGENT_TEST_PG");

        var ok = await RunAsync(Postgres, pg, "select 1");
        var empty = await RunAsync(Postgres, pg, "select 1 where false");
        var badPassword = await RunAsync(Postgres, pg.Replace("opsagent-test-Pw-7731", "wrong", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(ok.Success, Is.True, ok.Message);
            Assert.That(ok.Latency, Is.GreaterThan(TimeSpan.Zero));
            Assert.That(empty.Reason, Is.EqualTo("query_no_rows"));
            Assert.That(badPassword.Reason, Is.EqualTo("auth_failed"));
            Assert.That(badPassword.Message, Does.Not.Contain("wrong"));
        });
    }

    [Test]
    public async Task Postgres_SizeAndConnectionThresholds_BelowAndAboveTheDatabasesOwnSize()
    {
        var pg = TestEnvironment.Require("OPSAGENT_TEST_PG");
        long size;
        await using (var connection = new Npgsql.NpgsqlConnection(pg + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("select pg_database_size(current_database())", connection);
            size = (long)(await command.ExecuteScalarAsync())!;
        }

        async Task<ProbeResult> Probe(PostgresProbeOptions settings)
        {
            settings.Connection = new SecretReference { Value = pg };
            var options = new ProbeOptions { Type = Postgres, Settings = settings, Timeout = TimeSpan.FromSeconds(5) };
            return await new ProbeRunner(new ProbeTypes([KeyValuePair.Create<string, IProbeCheck>(Postgres, new PostgresProbe(new SecretResolver(SecretRedactor.Shared)))]))
                .RunAsync("db", options, CancellationToken.None);
        }

        var below = await Probe(new PostgresProbeOptions { WarningBytes = new(size * 2), CriticalBytes = new(size * 4) });
        var warning = await Probe(new PostgresProbeOptions { WarningBytes = new(size / 2), CriticalBytes = new(size * 4) });
        var critical = await Probe(new PostgresProbeOptions { WarningBytes = new(size / 4), CriticalBytes = new(size / 2) });
        var connections = await Probe(new PostgresProbeOptions { ConnectionsCriticalPercent = 0.001 });

        Assert.Multiple(() =>
        {
            Assert.That(below.Level, Is.EqualTo(ProbeLevel.Ok), below.Message);
            Assert.That(below.Measures.Single(m => m.Name == "database_bytes").Value, Is.InRange(size * 0.9, size * 1.1), "pg_database_size, as psql says");
            Assert.That((warning.Level, warning.Reason), Is.EqualTo((ProbeLevel.Warning, "database_bytes_warning")), warning.Message);
            Assert.That((critical.Level, critical.Success, critical.Reason), Is.EqualTo((ProbeLevel.Critical, false, "database_bytes_critical")), critical.Message);
            Assert.That((connections.Level, connections.Reason), Is.EqualTo((ProbeLevel.Critical, "connections_ratio_critical")), "its own session counts: " + connections.Message);
        });
    }

    [Test]
    public async Task Postgres_ServerStopped_ConnectionRefused()
    {
        TestEnvironment.Require("OPSAGENT_TEST_PG");
        var bin = PostgresServerBin(PostgresServerRoot);
        var data = Directory.CreateTempSubdirectory("opsagent-pgprobe-").FullName;
        var port = LoopbackPort.Unused();
        try
        {
            Run("chown", "postgres", data);
            Run("runuser", "-u", "postgres", "--", $"{bin}/initdb", "-D", data, "-U", "postgres", "-A", "trust");
            Run("runuser", "-u", "postgres", "--", $"{bin}/pg_ctl", "-D", data, "-w", "-o", $"-p {port} -k {data} -c listen_addresses=127.0.0.1", "-l", $"{data}/log", "start");
            var connection = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
            var running = await RunAsync(Postgres, connection);

            Run("runuser", "-u", "postgres", "--", $"{bin}/pg_ctl", "-D", data, "-w", "-m", "fast", "stop");
            var stopped = await RunAsync(Postgres, connection);

            Assert.Multiple(() =>
            {
                Assert.That(running.Success, Is.True, running.Message);
                Assert.That(stopped.Reason, Is.EqualTo("connection_refused"), stopped.Message);
            });
        }
        finally
        {
            Process.Start("runuser", ["-u", "postgres", "--", $"{bin}/pg_ctl", "-D", data, "-m", "immediate", "stop"])?.WaitForExit();
            Directory.Delete(data, recursive: true);
        }
    }

    [Test]
    public async Task MongoDb_Ping_SucceedsAgainstTheServer()
    {
        var mongo = TestEnvironment.Require("OPSAGENT_TEST_MONGO");

        var ok = await RunAsync(MongoDb, mongo);
        var misspelt = await RunAsync(MongoDb, new MongoDB.Driver.MongoUrlBuilder(mongo) { DatabaseName = "opsagent_no_such_db", AuthenticationSource = new MongoDB.Driver.MongoUrl(mongo) is { Username: not null } url ? url.AuthenticationSource ?? "admin" : null }.ToString());

        Assert.That(ok.Success, Is.True, ok.Message);
        Assert.That(misspelt.Reason, Is.EqualTo("database_missing"), misspelt.Message);
    }

    [Test]
    public async Task MongoDb_UserWithoutRightsOnTheDatabase_NotAuthorizedNotDatabaseMissing()
    {
        var mongo = TestEnvironment.Require("OPSAGENT_TEST_MONGO");
        var client = new MongoDB.Driver.MongoClient(mongo);
        var database = "opsagent_" + Guid.NewGuid().ToString("N")[..8];
        var user = "norights_" + Guid.NewGuid().ToString("N")[..8];
        var admin = client.GetDatabase("admin");
        await client.GetDatabase(database).GetCollection<MongoDB.Bson.BsonDocument>("orders").InsertOneAsync(new MongoDB.Bson.BsonDocument("_id", 1));
        await admin.RunCommandAsync<MongoDB.Bson.BsonDocument>(new MongoDB.Bson.BsonDocument { ["createUser"] = user, ["pwd"] = "opsagent-Pw-1", ["roles"] = new MongoDB.Bson.BsonArray() });
        try
        {
            var host = new MongoDB.Driver.MongoUrl(mongo).Server;
            var result = await RunAsync(MongoDb, $"mongodb://{user}:opsagent-Pw-1@{host.Host}:{host.Port}/{database}?authSource=admin");

            Assert.That(result.Reason, Is.EqualTo("not_authorized"), result.Message);
        }
        finally
        {
            await admin.RunCommandAsync<MongoDB.Bson.BsonDocument>(new MongoDB.Bson.BsonDocument("dropUser", user));
            await client.DropDatabaseAsync(database);
        }
    }

    [Test]
    public async Task MongoDb_ClosedPort_ConnectionRefusedNotTimeout()
    {
        // No server needed: the driver's heartbeat meets a closed port, and the probe must say so before its own deadline.
        var result = await RunAsync(MongoDb, $"mongodb://127.0.0.1:{LoopbackPort.Unused()}/");

        Assert.That(result.Success, Is.False);
        Assert.That(result.Reason, Is.EqualTo("connection_refused"), result.Message);
    }

    [Test]
    public async Task MongoDb_UriServerSelectionTimeoutShorterThanTheProbe_Honoured()
    {
        var result = await RunAsync(MongoDb, $"mongodb://127.0.0.1:{LoopbackPort.Unused()}/?serverSelectionTimeoutMS=300");

        Assert.That(result.Reason, Is.EqualTo("connection_refused"), result.Message);
        Assert.That(result.Message, Does.Contain("server selection gave up after 00:00:00.3"));
    }

    private static void Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{file} {string.Join(' ', arguments)}: {error}");
    }
}
