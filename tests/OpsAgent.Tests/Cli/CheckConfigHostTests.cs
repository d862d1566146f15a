using System.Net.Sockets;
using OpsAgent.Cli;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Cli;

/// <summary>check-config against this host: what validation alone passes but would fail at run time.</summary>
public sealed class CheckConfigHostTests
{
    private const string Password = "Sup3r-Secret-Pw-4471";
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("opsagent-check-host-");

    [TearDown]
    public void TearDown() => _dir.Delete(recursive: true);

    private string Dir => _dir.FullName;

    private string Write(string json, string name = "appsettings.json")
    {
        var path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json.Replace("%DIR%", Dir, StringComparison.Ordinal));
        return path;
    }

    private static async Task<(int Exit, string Text)> CheckAsync(string path)
    {
        var output = new StringWriter();
        var exit = await CheckConfigCommand.RunAsync(path, output, CancellationToken.None);
        return (exit, output.ToString());
    }

    [Test]
    public async Task CheckConfig_SecretsMissingAbsentOrPlaceholder_ErrorsNameThePathAndFileNeverTheValue()
    {
        File.WriteAllText(Path.Combine(Dir, "app.env"), $"OTHER=x\nexport DATABASE_URL=postgresql://app:{Password}@127.0.0.1/app\n");
        File.WriteAllText(Path.Combine(Dir, "conn"), $"Host=db.example.com;Username=app;Password={Password};Database=app\n");
        var path = Write("""
            { "OpsAgent": {
                "Backups": {
                  "absent": { "Engine": "postgres", "Schedule": "0 2 * * *", "Directory": "%DIR%/b1", "Connection": { "FromEnvFile": "%DIR%/app.env", "Variable": "DB_URL" } },
                  "missing": { "Engine": "postgres", "Schedule": "0 2 * * *", "Directory": "%DIR%/b2", "Connection": { "File": "%DIR%/nope/secret" } },
                  "placeholder": { "Engine": "postgres", "Schedule": "0 2 * * *", "Directory": "%DIR%/b3", "Connection": { "File": "%DIR%/conn" } }
                },
                "Probes": {
                  "ok": { "Type": "postgres", "Connection": { "FromEnvFile": "%DIR%/app.env", "Variable": "DATABASE_URL" } }
                }
            } }
            """);

        var (exit, text) = await CheckAsync(path);

        Assert.That(exit, Is.EqualTo(1), text);
        Assert.That(text, Does.Contain(": 3 errors"));
        Assert.That(text, Does.Contain($"OpsAgent:Backups:absent:Connection: variable 'DB_URL' is not defined in '{Dir}/app.env' ({path}:3)"));
        Assert.That(text, Does.Contain($"OpsAgent:Backups:missing:Connection: secret file '{Dir}/nope/secret' does not exist ({path}:4)"));
        Assert.That(text, Does.Contain($"OpsAgent:Backups:placeholder:Connection: 'db.example.com' is an example placeholder"));
        Assert.That(text, Does.Not.Contain(Password));
    }

    [Test]
    public async Task CheckConfig_DockerSocketMissing_OneErrorNamingTheEndpointAndNoContainerFindings()
    {
        var path = Write("""
            { "OpsAgent": {
                "Docker": { "Endpoint": "unix://%DIR%/docker.sock" },
                "Probes": {
                  "db": { "Type": "docker", "Container": "fmu_db" },
                  "app": { "Type": "http", "Url": "http://127.0.0.1:8010/", "Restart": { "Container": "sims_backend" } }
                }
            } }
            """);

        var (exit, text) = await CheckAsync(path);

        Assert.That(exit, Is.EqualTo(1), text);
        Assert.That(text, Does.Contain(": 1 error"));
        Assert.That(text, Does.Contain($"OpsAgent:Docker:Endpoint: the Docker endpoint unix://{Dir}/docker.sock does not answer (no socket at {Dir}/docker.sock"));
        Assert.That(text, Does.Not.Contain("fmu_db").And.Not.Contain("sims_backend"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task CheckConfig_DockerEndpointThatNeverAnswers_ErrorAfterTheTimeoutInsteadOfHanging()
    {
        var socketPath = Path.Combine(Dir, "silent.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(4);
        var path = Write("""
            { "OpsAgent": { "Docker": { "Endpoint": "unix://%DIR%/silent.sock" }, "Probes": { "db": { "Type": "docker", "Container": "fmu_db" } } } }
            """);

        var (exit, text) = await CheckAsync(path);

        Assert.That(exit, Is.EqualTo(1), text);
        Assert.That(text, Does.Contain($"OpsAgent:Docker:Endpoint: the Docker endpoint unix://{socketPath} does not answer (no answer within 3 s)"));
    }

    [Test]
    public async Task CheckConfig_ContainerNotCreatedYet_WarningAndPasses()
    {
        var endpoint = TestEnvironment.Require("OPSAGENT_TEST_DOCKER");
        var path = Write($$"""
            { "OpsAgent": { "Docker": { "Endpoint": "{{endpoint}}" }, "Probes": { "db": { "Type": "docker", "Container": "opsagent-check-not-created" } } } }
            """);

        var (exit, text) = await CheckAsync(path);

        Assert.That(exit, Is.EqualTo(0), text);
        Assert.That(text, Does.StartWith("Configuration OK"));
        Assert.That(text, Does.Contain($"warning: OpsAgent:Probes:db:Container: container 'opsagent-check-not-created' does not exist at {endpoint} (not created yet?) ({path}:1)"));
    }

    [Test]
    public async Task CheckConfig_VolumeAndStoppedServicesMissing_WarningsNamingEach()
    {
        var endpoint = TestEnvironment.Require("OPSAGENT_TEST_DOCKER");
        var path = Write($$"""
            { "OpsAgent": { "Docker": { "Endpoint": "{{endpoint}}" }, "Backups": {
                "media": { "Engine": "files", "Schedule": "0 2 * * *", "Directory": "%DIR%/backups", "Volume": "opsagent-check-no-volume", "StopContainers": [ "opsagent-check-no-backend" ] },
                "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Directory": "%DIR%/backups", "Connection": "Host=127.0.0.1;Database=app",
                        "Restore": { "Stop": [ { "Container": "opsagent-check-no-worker" } ] } }
            } } }
            """);

        var (exit, text) = await CheckAsync(path);

        Assert.That(exit, Is.EqualTo(0), text);
        Assert.That(text, Does.Contain($"warning: OpsAgent:Backups:media:Volume: volume 'opsagent-check-no-volume' does not exist at {endpoint}"));
        Assert.That(text, Does.Contain($"warning: OpsAgent:Backups:media:StopContainers:0: container 'opsagent-check-no-backend' does not exist at {endpoint}"));
        Assert.That(text, Does.Contain($"warning: OpsAgent:Backups:db:Restore:Stop:0:Container: container 'opsagent-check-no-worker' does not exist at {endpoint}"));
    }

    [Test]
    public async Task CheckConfig_BackupDirectoryBelowAFile_ErrorCannotBeCreated()
    {
        File.WriteAllText(Path.Combine(Dir, "backups"), "");
        var path = Write("""
            { "OpsAgent": { "Backups": {
                "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Directory": "%DIR%/backups/db", "Connection": "Host=127.0.0.1;Database=app" }
            } } }
            """);

        var (exit, text) = await CheckAsync(path);

        Assert.That(exit, Is.EqualTo(1), text);
        Assert.That(text, Does.Contain($"OpsAgent:Backups:db:Directory: {Dir}/backups/db cannot be created: {Dir}/backups is a file"));
    }

    [Test]
    public async Task CheckConfig_PostgresJobOnTheHostWithAMissingPgDump_ErrorNamingPgDumpPath()
    {
        var path = Write("""
            { "OpsAgent": { "Backups": {
                "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Directory": "%DIR%/b", "Connection": "Host=127.0.0.1;Database=app", "PgDumpPath": "%DIR%/bin/pg_dump" }
            } } }
            """);

        var (exit, text) = await CheckAsync(path);

        Assert.That(exit, Is.EqualTo(1), text);
        Assert.That(text, Does.Contain($"OpsAgent:Backups:db:PgDumpPath: {Dir}/bin/pg_dump does not exist on this host"));
    }

    [Test]
    public async Task CheckConfig_PlaceholderLeftInAConfDFile_ErrorNamesThePathFileAndLine()
    {
        Write("""{ "OpsAgent": { "TimeZone": "UTC" } }""");
        var conf = Write("""
            // Copy to conf.d and edit the lines marked EDIT.
            {
              "OpsAgent": {
                "Probes": {
                  "site": {
                    "Type": "http",
                    "Url": "https://status.example.org/health"  // EDIT
                  }
                },
                "Certificates": { "Endpoints": { "site": "www.example.com:443" } }
              }
            }
            """, "conf.d/site.json");

        var (exit, text) = await CheckAsync(Path.Combine(Dir, "appsettings.json"));

        Assert.That(exit, Is.EqualTo(1), text);
        Assert.That(text, Does.Contain($"OpsAgent:Probes:site:Url: 'status.example.org' is an example placeholder: replace it with this host's real name ({conf}:7)"));
        Assert.That(text, Does.Contain($"OpsAgent:Certificates:Endpoints:site: 'www.example.com' is an example placeholder: replace it with this host's real name ({conf}:10)"));
    }

    [Test]
    public async Task CheckConfig_JournaldSocketMissing_SummarySaysTheConsoleNotJournald()
    {
        var path = Write("""{ "OpsAgent": { "Logging": { "Journald": { "SocketPath": "%DIR%/journal/socket" } } } }""");

        var (exit, text) = await CheckAsync(path);

        Assert.That(exit, Is.EqualTo(0), text);
        Assert.That(text, Does.Contain($"logging        Information, to the console (journald socket {Dir}/journal/socket missing)"));
        Assert.That(text, Does.Not.Contain("journald " + Dir));
    }

    /// <summary>What only this host can answer, all of it wrong here: a secret file, Docker, pg_dump, the directory, a CA file.</summary>
    private string WriteHostDependent() => Write("""
        { "OpsAgent": {
            "Docker": { "Endpoint": "unix://%DIR%/docker.sock" },
            "Backups": {
              "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Directory": "%DIR%/backups/db", "Connection": { "File": "%DIR%/nope/secret" }, "PgDumpPath": "%DIR%/bin/pg_dump" },
              "app": { "Engine": "postgres", "Schedule": "0 3 * * *", "Directory": "%DIR%/b", "Connection": "Host=127.0.0.1;Database=app", "Container": "fmu_db" }
            },
            "Probes": { "db": { "Type": "docker", "Container": "fmu_db" } },
            "Certificates": { "Endpoints": { "api": { "Host": "127.0.0.1", "Port": 8443, "TrustedCa": "%DIR%/ca.pem" } } }
        } }
        """);

    [Test]
    public async Task CheckConfig_OfflineWithHostProblems_PassesAndSaysWhatItSkipped()
    {
        File.WriteAllText(Path.Combine(Dir, "backups"), "");
        var path = WriteHostDependent();

        var online = await AgentProcess.RunAsync("check-config", "--config", path);
        var offline = await AgentProcess.RunAsync("check-config", "--offline", "--config", path);

        Assert.That(online.Exit, Is.EqualTo(1), online.All);
        Assert.That(online.Out, Does.Contain("secret file").And.Contain("docker.sock").And.Contain("pg_dump").And.Contain("is a file").And.Contain("ca.pem"));
        Assert.That(offline.Exit, Is.Zero, offline.All);
        Assert.Multiple(() =>
        {
            Assert.That(offline.Out, Does.StartWith("Configuration OK"));
            Assert.That(offline.Out, Does.Contain("offline: host checks skipped (secrets, tools, Docker, systemd units, directories, CA files)"));
            Assert.That(offline.Out, Does.Contain("4 jobs:").And.Contain("next: "), "the jobs and their fire times are still listed");
            Assert.That(offline.Out, Does.Not.Contain("secret file").And.Not.Contain("does not answer").And.Not.Contain("does not exist on this host"));
        });
    }

    [Test]
    public async Task CheckConfig_OfflineWithAValidationError_Fails()
    {
        var path = Write("""
            { "OpsAgent": { "Backups": {
                "db": { "Engine": "postgres", "Schedule": "0 2 30 2 *", "Directory": "relative/dir", "Connection": { "File": "%DIR%/nope/secret" } }
            } } }
            """);

        var offline = await AgentProcess.RunAsync("check-config", "--offline", "--config", path);

        Assert.That(offline.Exit, Is.EqualTo(1), offline.All);
        Assert.That(offline.Out, Does.Contain("OpsAgent:Backups:db:Directory: 'relative/dir' must be an absolute path"));
        Assert.That(offline.Out, Does.Contain("OpsAgent:Backups:db:Schedule:"));
        Assert.That(offline.Out, Does.Not.Contain("secret file"), "the secret is the host's business");
    }

    [Test]
    public async Task CheckConfig_OfflineWithAnExamplePlaceholderInTheFile_Fails()
    {
        // The placeholder is in the file itself, not behind a secret: no host needed to see it.
        var path = Write("""
            { "OpsAgent": { "Probes": { "site": { "Type": "http", "Url": "https://status.example.org/health" } } } }
            """);

        var offline = await AgentProcess.RunAsync("check-config", "--offline", "--config", path);

        Assert.That(offline.Exit, Is.EqualTo(1), offline.All);
        Assert.That(offline.Out, Does.Contain("OpsAgent:Probes:site:Url: 'status.example.org' is an example placeholder"));
    }

    [Test]
    public async Task CheckConfig_OfflineJournaldSocketMissing_SummaryDoesNotJudgeTheSocket()
    {
        var path = Write("""{ "OpsAgent": { "Logging": { "Journald": { "SocketPath": "%DIR%/journal/socket" } } } }""");

        var offline = await AgentProcess.RunAsync("check-config", "--offline", "--config", path);

        Assert.That(offline.Exit, Is.Zero, offline.All);
        Assert.That(offline.Out, Does.Contain($"logging        Information, journald {Dir}/journal/socket (not checked offline)"));
    }
}
