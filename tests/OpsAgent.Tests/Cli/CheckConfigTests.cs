using OpsAgent.Cli;
using OpsAgent.Testing;
using OpsAgent.Tests.Support;

namespace OpsAgent.Tests.Cli;

public sealed class CheckConfigTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("opsagent-check-");

    [TearDown]
    public void TearDown() => _dir.Delete(recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir.FullName, "appsettings.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Test]
    public async Task CheckConfig_CopyStorageClassTypo_WarnsAtItsLineAndStillPasses()
    {
        var path = Write($$"""
            { "OpsAgent": {
                "StateDirectory": "{{Path.Combine(_dir.FullName, "state")}}",
                "Targets": { "offsite": { "Type": "s3", "Region": "eu-central-1", "Bucket": "acme", "AccessKeyId": "AKIA", "SecretAccessKey": "not-a-real-one" } },
                "Backups": { "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Connection": "Host=127.0.0.1;Username=u;Password=p;Database=d",
                  "Directory": "{{Path.Combine(_dir.FullName, "backups")}}",
                  "Copies": {
                    "offsite": {},
                    "cold": { "Target": "offsite", "Folder": "cold",
                              "StorageClass": "GLACIERR" } } } }
            } }
            """);
        var output = new StringWriter();

        var exit = await CheckConfigCommand.RunAsync(path, output, CancellationToken.None);

        Assert.That(exit, Is.Zero, output.ToString());
        Assert.That(output.ToString(), Does.Contain($"warning: OpsAgent:Backups:db:Copies:cold:StorageClass: 'GLACIERR' is not one of AWS's storage classes").And.Contain($"({path}:9)"), "the line of the StorageClass key");
    }

    [Test]
    public async Task CheckConfig_RequireHealthyAndVerifyProbesNameNoProbe_FailsNamingEach()
    {
        var path = Write($$"""
            { "OpsAgent": {
                "StateDirectory": "{{Path.Combine(_dir.FullName, "state")}}",
                "Backups": { "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Connection": "Host=127.0.0.1;Username=u;Password=p;Database=d",
                  "Directory": "{{Path.Combine(_dir.FullName, "backups")}}",
                  "RequireHealthy": [ "db-probe", "sims-dbb" ], "Restore": { "VerifyProbes": [ "web" ] } } },
                "Probes": { "db-probe": { "Type": "tcp", "Host": "127.0.0.1", "Port": 5432, "PauseDuringBackups": [ "db", "media" ] } }
            } }
            """);
        var output = new StringWriter();

        var exit = await CheckConfigCommand.RunAsync(path, output, CancellationToken.None);

        Assert.That(exit, Is.EqualTo(1), output.ToString());
        Assert.That(output.ToString(), Does.Contain("OpsAgent:Backups:db:RequireHealthy:1: names the probe 'sims-dbb', which OpsAgent:Probes does not define (defined: db-probe)")
            .And.Contain("OpsAgent:Backups:db:Restore:VerifyProbes:0: names the probe 'web'")
            .And.Contain("OpsAgent:Probes:db-probe:PauseDuringBackups:1: names the backup job 'media', which OpsAgent:Backups does not define (defined: db)")
            .And.Not.Contain("PauseDuringBackups:0")
            .And.Not.Contain("RequireHealthy:0"));
    }

    [Test]
    public async Task CheckConfig_ThreeDifferentErrors_PrintsAllThreePathsAndFails()
    {
        var path = Write("""
            { "OpsAgent": {
                "TimeZone": "Atlantis/Capital",
                "Http": { "Listen": "http://127.0.0.1:9464" },
                "Test": { "Jobs": { "sims-db": { "Schedule": "0 2 * *" }, "innova": { "Schedule": "0 3 * * *", "Connection": { "FromEnvFile": "/etc/innovaplus/backend.env" } } } }
            } }
            """);
        var output = new StringWriter();

        var exit = await CheckConfigCommand.RunAsync(path, output, CancellationToken.None, TestJobRegistration.Add);

        Assert.That(exit, Is.EqualTo(1));
        var text = output.ToString();
        Assert.That(text, Does.Contain("OpsAgent:TimeZone: 'Atlantis/Capital' is not a known time zone"));
        Assert.That(text, Does.Contain("OpsAgent:Test:Jobs:sims-db:Schedule: '0 2 * *' is not a cron expression"));
        Assert.That(text, Does.Contain("OpsAgent:Test:Jobs:innova:Connection:Variable: FromEnvFile needs the Variable to read"));
        Assert.That(text, Does.Contain("3 errors"));
    }

    [Test]
    public async Task CheckConfig_InvalidJobName_ErrorNamesTheFileAndLine()
    {
        var path = Write("""
            { "OpsAgent": {
                "TimeZone": "UTC",
                "Test": { "Jobs": {
                    "Sims DB": { "Schedule": "0 2 * * *" }
                } }
            } }
            """);
        var output = new StringWriter();

        var exit = await CheckConfigCommand.RunAsync(path, output, CancellationToken.None, TestJobRegistration.Add);

        Assert.That(exit, Is.EqualTo(1));
        var line = output.ToString().Split('\n').Single(l => l.StartsWith("OpsAgent:Test:Jobs:Sims DB:", StringComparison.Ordinal));
        Assert.That(line, Does.Contain("names must match").And.EndWith($"({path}:4)"));
    }

    [Test]
    public async Task CheckConfig_Valid_SummaryListsEachJobWithNextThreeFireTimes()
    {
        var path = Write("""
            { "OpsAgent": { "TimeZone": "Africa/Lagos", "Test": { "Jobs": { "sims-db": { "Schedule": "0 2 * * *" } } } } }
            """);
        var output = new StringWriter();

        var exit = await CheckConfigCommand.RunAsync(path, output, CancellationToken.None, TestJobRegistration.Add);

        Assert.That(exit, Is.EqualTo(0));
        var line = output.ToString().Split('\n').Single(l => l.Contains("sims-db", StringComparison.Ordinal));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(line, @"\d{4}-\d\d-\d\d 02:00:00 \+01:00"), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task CheckConfig_ShippedDefaultConfiguration_IsValidAndSafe()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var output = new StringWriter();

        var exit = await CheckConfigCommand.RunAsync(shipped, output, CancellationToken.None);

        Assert.That(exit, Is.EqualTo(0), output.ToString());
        Assert.That(output.ToString(), Does.Contain("http://127.0.0.1:9464"));
        Assert.That(output.ToString(), Does.Contain("No jobs configured."));
    }

    [Test]
    public async Task CheckConfig_MongoJobOnTheHostWithoutMongodump_ErrorNamingTheJob()
    {
        var path = Write($$"""
            { "OpsAgent": { "Docker": { "Endpoint": "{{TestEnvironment.Require("OPSAGENT_TEST_DOCKER")}}" }, "Backups": {
                "innova-mongo": { "Engine": "mongodb", "Schedule": "0 2 * * *", "Database": "innova_db", "Directory": "/var/backups/innova", "Connection": { "Value": "mongodb://127.0.0.1:27017" }, "MongodumpPath": "/nonexistent/bin/mongodump" },
                "in-container": { "Engine": "mongodb", "Schedule": "0 2 * * *", "Database": "innova_db", "Directory": "/var/backups/innova", "Connection": { "Value": "mongodb://127.0.0.1:27017" }, "Container": "mongo" }
            } } }
            """);
        var output = new StringWriter();

        var exit = await CheckConfigCommand.RunAsync(path, output, CancellationToken.None);

        Assert.That(exit, Is.EqualTo(1), output.ToString());
        Assert.That(output.ToString(), Does.Contain(": 1 error").And.Contain("OpsAgent:Backups:innova-mongo:MongodumpPath: /nonexistent/bin/mongodump does not exist on this host"));
    }
}
