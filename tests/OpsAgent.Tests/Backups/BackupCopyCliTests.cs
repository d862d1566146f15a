using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Backups;

/// <summary>
/// Off-host copies through the real executable against the harness' s3rver and OpenSSH sftp server, with a database of about
/// 100 MB (so dumps, uploads, age and downloads all stream well past their pipes' buffers): what an operator runs and sees.
/// </summary>
[NonParallelizable]
public sealed class BackupCopyCliTests
{
    private static readonly TimeSpan Verb = TimeSpan.FromMinutes(5);

    private string _database = null!;
    private DirectoryInfo _dir = null!;
    private string _folder = null!;

    private static string Pg => TestEnvironment.Require("OPSAGENT_TEST_PG");

    private string SftpFolder => Path.Combine(TestEnvironment.Require("OPSAGENT_TEST_SFTP_PATH"), _folder);

    [OneTimeSetUp]
    public async Task CreateLargeDatabase()
    {
        _database = "opsagent_copy_" + Guid.NewGuid().ToString("N")[..6];
        await SqlAsync("postgres", $"create database {_database}");
        var row = string.Join("||", Enumerable.Repeat("md5(random()::text)", 16));
        await SqlAsync(_database, $"create table t as select g, {row} as body from generate_series(1, 200000) g");
    }

    [OneTimeTearDown]
    public async Task DropDatabases()
    {
        await using var connection = new NpgsqlConnection(Pg);
        await connection.OpenAsync();
        await using var list = new NpgsqlCommand("select datname from pg_database where datname like 'opsagent_copy_%'", connection);
        var names = new List<string>();
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names)
        {
            await SqlAsync("postgres", $"drop database if exists {name} with (force)");
        }
    }

    [SetUp]
    public void CreateDirectory()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-copy-cli-");
        _folder = "t" + Guid.NewGuid().ToString("N")[..10];
    }

    [TearDown]
    public void RemoveDirectory() => _dir.Delete(recursive: true);

    [Test]
    public async Task BackupRun_EncryptedS3AndPlainSftpCopies_RestoreFromEachTargetGivesTheSameRows()
    {
        TestEnvironment.RequireOnPath("age", "age-keygen");
        var (identity, recipient) = await AgeKeyAsync("id.age");
        var (wrongIdentity, _) = await AgeKeyAsync("other.age");
        var config = await WriteConfigAsync(Targets(TestEnvironment.Require("OPSAGENT_TEST_SFTP_KNOWN_HOSTS")), $$"""
            "Copies": { "offsite": { "Encrypt": true }, "backup-host": { "Folder": "{{_folder}}" } },
            "Encryption": { "Recipients": [ "{{recipient}}" ] }
            """);

        var run = await AgentProcess.RunAsync(Verb, "backup", "run", "app", "--config", config);

        Assert.That(run.Exit, Is.Zero, run.All);
        Assert.That(run.Out, Does.Contain("copy app to offsite ok: 1 uploaded"));
        Assert.That(run.Out, Does.Contain("copy app to backup-host ok: 1 uploaded"));
        var listed = await AgentProcess.RunAsync("backup", "list", "app", "--target", "offsite", "--json", "--config", config);
        Assert.That(listed.Exit, Is.Zero, listed.All);
        var entry = JsonDocument.Parse(listed.Out).RootElement.EnumerateArray().Single();
        Assert.That(entry.GetProperty("encrypted").GetBoolean(), Is.True);
        Assert.That(entry.GetProperty("complete").GetBoolean(), Is.True);
        Assert.That(entry.GetProperty("object").GetString(), Does.EndWith(".dump.zst.age"));
        var local = await AgentProcess.RunAsync("backup", "list", "app", "--config", config);
        Assert.That(local.Out, Does.Contain("backup-host,offsite"), "the local listing says where each backup was copied");

        var noIdentity = await AgentProcess.RunAsync(Verb, "backup", "restore", "app", "--from", "offsite", "--to-database", _database + "_r0", "--config", config);
        var wrong = await AgentProcess.RunAsync(Verb, "backup", "restore", "app", "--from", "offsite", "--identity", wrongIdentity, "--to-database", _database + "_r0", "--config", config);
        Assert.That((noIdentity.Exit, wrong.Exit), Is.EqualTo((1, 1)), noIdentity.All + wrong.All);
        Assert.That(noIdentity.Out, Does.Contain("restore failed (decryption_failed)").And.Contain("--identity"));
        Assert.That(wrong.Out, Does.Contain("restore failed (decryption_failed)").And.Contain("no identity matched any of the recipients"), "age's own error, not its request to report errors");
        Assert.That(await ExistsAsync(_database + "_r0"), Is.False, "nothing reaches the server from a copy that did not decrypt");

        var fromS3 = await AgentProcess.RunAsync(Verb, "backup", "restore", "app", "--from", "offsite", "--identity", identity, "--to-database", _database + "_r1", "--config", config);
        var fromSftp = await AgentProcess.RunAsync(Verb, "backup", "restore", "app", "--from", "backup-host", "--to-database", _database + "_r2", "--config", config);

        Assert.That(fromS3.Exit, Is.Zero, fromS3.All);
        Assert.That(fromSftp.Exit, Is.Zero, fromSftp.All);
        var original = await FingerprintAsync(_database);
        Assert.That(await FingerprintAsync(_database + "_r1"), Is.EqualTo(original));
        Assert.That(await FingerprintAsync(_database + "_r2"), Is.EqualTo(original));
        Assert.That(Directory.EnumerateFileSystemEntries(Path.Combine(_dir.FullName, "state", "tmp")), Is.Empty, "downloads are removed after the restore");
    }

    [Test]
    public async Task BackupRestore_CopyAlteredOnTheTarget_RefusedAsChecksumMismatchBeforeTheServerSeesIt()
    {
        var config = await WriteConfigAsync(Targets(TestEnvironment.Require("OPSAGENT_TEST_SFTP_KNOWN_HOSTS")), $$"""
            "Copies": { "backup-host": { "Folder": "{{_folder}}" } }
            """, small: true);
        var run = await AgentProcess.RunAsync(Verb, "backup", "run", "app", "--config", config);
        Assert.That(run.Exit, Is.Zero, run.All);
        var remote = Directory.GetFiles(SftpFolder, "*.dump.zst").Single();
        await using (var file = new FileStream(remote, FileMode.Open, FileAccess.Write))
        {
            file.Position = file.Length / 2;
            file.WriteByte(0x42);
        }

        var restore = await AgentProcess.RunAsync(Verb, "backup", "restore", "app", "--from", "backup-host", "--to-database", _database + "_r3", "--config", config);

        Assert.That(restore.Exit, Is.EqualTo(1), restore.All);
        Assert.That(restore.Out, Does.Contain("restore failed (checksum_mismatch)"));
        Assert.That(await ExistsAsync(_database + "_r3"), Is.False);
    }

    [Test]
    public async Task BackupRun_SftpHostKeyChanged_BackupKeptCopyRefusedWithNothingSentExitThree()
    {
        TestEnvironment.RequireOnPath("ssh-keygen");
        var key = Path.Combine(_dir.FullName, "impostor");
        await RunToolAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key);
        var port = TestEnvironment.Require("OPSAGENT_TEST_SFTP_PORT");
        var knownHosts = Path.Combine(_dir.FullName, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"[127.0.0.1]:{port} {(await File.ReadAllTextAsync(key + ".pub")).Trim()}\n");
        var config = await WriteConfigAsync(Targets(knownHosts), $$"""
            "Copies": { "backup-host": { "Folder": "{{_folder}}" } }
            """, small: true);

        var run = await AgentProcess.RunAsync(Verb, "backup", "run", "app", "--config", config);

        Assert.That(run.Exit, Is.EqualTo(3), run.All);
        Assert.That(run.Out, Does.Contain("backup app ok:"));
        Assert.That(run.Out, Does.Contain("copy app to backup-host failed (host_key_mismatch)"));
        Assert.That(run.Out, Does.Contain("1 backup the target lacks stay on disk"));
        Assert.That(Directory.Exists(SftpFolder), Is.False, "nothing was sent to a host whose key is not the known one");
        Assert.That(Directory.GetFiles(Path.Combine(_dir.FullName, "backups"), "*.sha256"), Has.Length.EqualTo(1), "the local backup stands");
    }

    private string Targets(string knownHosts)
    {
        var env = Path.Combine(_dir.FullName, "s3.env");
        File.WriteAllText(env, $"AWS_ACCESS_KEY_ID={TestEnvironment.Require("OPSAGENT_TEST_S3_ACCESS_KEY")}\nAWS_SECRET_ACCESS_KEY={TestEnvironment.Require("OPSAGENT_TEST_S3_SECRET_KEY")}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return $$"""
            "Targets": {
              "offsite": { "Type": "s3", "Endpoint": "{{TestEnvironment.Require("OPSAGENT_TEST_S3")}}", "Region": "us-east-1", "Bucket": "{{TestEnvironment.Require("OPSAGENT_TEST_S3_BUCKET")}}",
                           "Prefix": "{{_folder}}/", "ForcePathStyle": true,
                           "AccessKeyId": { "FromEnvFile": "{{env}}", "Variable": "AWS_ACCESS_KEY_ID" },
                           "SecretAccessKey": { "FromEnvFile": "{{env}}", "Variable": "AWS_SECRET_ACCESS_KEY" } },
              "backup-host": { "Type": "sftp", "Host": "127.0.0.1", "Port": {{TestEnvironment.Require("OPSAGENT_TEST_SFTP_PORT")}}, "User": "{{TestEnvironment.Require("OPSAGENT_TEST_SFTP_USER")}}",
                               "PrivateKeyFile": "{{TestEnvironment.Require("OPSAGENT_TEST_SFTP_KEY")}}", "KnownHostsFile": "{{knownHosts}}",
                               "Path": "{{TestEnvironment.Require("OPSAGENT_TEST_SFTP_PATH")}}" }
            }
            """;
    }

    private async Task<string> WriteConfigAsync(string targets, string copies, bool small = false)
    {
        var database = _database;
        if (small)
        {
            database = _database + "_small_" + Guid.NewGuid().ToString("N")[..4];
            await SqlAsync("postgres", $"create database {database}");
            await SqlAsync(database, "create table t as select g, md5(g::text) as body from generate_series(1, 1000) g");
        }

        var connection = new NpgsqlConnectionStringBuilder(Pg) { Database = database }.ConnectionString;
        var path = Path.Combine(_dir.FullName, "appsettings.json");
        await File.WriteAllTextAsync(path, $$"""
            {
              "OpsAgent": {
                "StateDirectory": "{{Path.Combine(_dir.FullName, "state")}}",
                "Control": { "Socket": "" },
                "Logging": { "Journald": { "SocketPath": "{{Path.Combine(_dir.FullName, "no-journal.sock")}}" } },
                {{targets}},
                "Backups": {
                  "app": {
                    "Engine": "postgres", "Schedule": "0 2 * * *", "CatchUp": false,
                    "Connection": "{{connection}}",
                    "Directory": "{{Path.Combine(_dir.FullName, "backups")}}",
                    "CompressionLevel": 1,
                    "Retention": { "KeepLast": 2 },
                    {{copies}}
                  }
                }
              }
            }
            """);
        return path;
    }

    private async Task<(string Identity, string Recipient)> AgeKeyAsync(string name)
    {
        var path = Path.Combine(_dir.FullName, name);
        await RunToolAsync("age-keygen", "-o", path);
        var recipient = (await File.ReadAllLinesAsync(path)).First(l => l.StartsWith("# public key: ", StringComparison.Ordinal))["# public key: ".Length..];
        return (path, recipient);
    }

    private static async Task RunToolAsync(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{tool}: {await stderr}");
    }

    /// <summary>Row count and an order-independent digest of every row.</summary>
    private static async Task<string> FingerprintAsync(string database)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Pg) { Database = database }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*)::text || ':' || coalesce(sum(hashtext(g::text || body))::text, '') from t", connection) { CommandTimeout = 300 };
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<bool> ExistsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(Pg);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from pg_database where datname = @n", connection);
        command.Parameters.AddWithValue("n", database);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0;
    }

    private static async Task SqlAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Pg) { Database = database }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }
}
