using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Tests;

public sealed class BackupsOptionsValidatorTests
{
    private static (BackupsOptions Options, List<ConfigError> Errors) Load(string directory)
        => LoadJson($$"""
            { "OpsAgent": { "Backups": { "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Database": "app", "Container": "pg", "Directory": "{{directory}}" } } } }
            """);

    /// <summary>Loads the section as the agent does: the binder with the registered engines' keys, then the validator.</summary>
    private static (BackupsOptions Options, List<ConfigError> Errors) LoadJson(string json)
    {
        using var services = new ServiceCollection().AddBackupServices().BuildServiceProvider();
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var errors = new List<ConfigError>();
        var options = (BackupsOptions)services.GetServices<IAgentSection>().Single(s => s.Path == BackupsOptions.SectionName).Load(root, errors);
        return (options, errors);
    }

    [TestCase("/")]
    [TestCase("/etc")]
    [TestCase("/etc/")]
    [TestCase("//etc/.")]
    [TestCase("/proc")]
    [TestCase("/proc/self")]
    [TestCase("/sys")]
    [TestCase("/dev/shm")]
    [TestCase("/usr")]
    [TestCase("/boot")]
    [TestCase("/bin")]
    [TestCase("/lib")]
    [TestCase("/var/lib/docker")]
    [TestCase("/var/lib/docker/volumes/x")]
    public void Load_SystemDirectory_IsRefusedNamingTheJsonPath(string directory)
    {
        var (_, errors) = Load(directory);

        Assert.That(errors.Select(e => e.ToString()), Has.One.StartsWith("OpsAgent:Backups:db:Directory: ").And.Contains("system directory"));
    }

    [Test]
    public void Load_DotDotSegment_IsRefused()
    {
        var (_, errors) = Load("/tmp/x/../../etc");

        Assert.That(errors.Select(e => e.ToString()), Has.One.StartsWith("OpsAgent:Backups:db:Directory: ").And.Contains("'..'"));
    }

    [Test]
    public void Load_UnusualSpelling_IsNormalised()
    {
        var (options, errors) = Load("/var/backups//sims/./");

        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        Assert.That(options.Jobs["db"].Directory, Is.EqualTo("/var/backups/sims"));
    }

    [Test]
    public void Load_MalformedInlineConnection_NamesTheFieldWithoutItsValue()
    {
        var (_, errors) = LoadJson("""
            { "OpsAgent": { "Backups": { "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Directory": "/var/backups/db",
              "Connection": "Host=127.0.0.1;Password=Leak;Me123;Database=small" } } } }
            """);

        Assert.That(errors.Select(e => e.ToString()), Has.One.StartsWith("OpsAgent:Backups:db:Connection: ").And.Contains("Password"));
        Assert.That(string.Join("\n", errors), Does.Not.Contain("leak").IgnoreCase.And.Not.Contain("me123").IgnoreCase);
    }

    [Test]
    public void Load_NoEngine_OneErrorNamingThePathAndTheRegisteredEngines()
    {
        var (_, errors) = LoadJson("""{ "OpsAgent": { "Backups": { "db": { "Schedule": "0 2 * * *", "Database": "app", "Container": "pg", "Directory": "/var/backups/db", "Format": "plain" } } } }""");

        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[] { "OpsAgent:Backups:db:Engine: required: one of postgres, mongodb, files" }));
    }

    [Test]
    public void Load_KeyOfAnotherEngine_UnknownSettingNamingWhatThisEngineKnows()
    {
        var (_, errors) = LoadJson("""{ "OpsAgent": { "Backups": { "db": { "Engine": "mongodb", "Schedule": "0 2 * * *", "Connection": "mongodb://127.0.0.1", "Directory": "/var/backups/db", "PgDumpPath": "/usr/bin/pg_dump" } } } }""");

        Assert.That(errors.Select(e => e.ToString()), Has.One.StartsWith("OpsAgent:Backups:db:PgDumpPath: unknown setting (known: ").And.Contains("MongodumpPath"));
    }

    [Test]
    public void Load_EngineInAnyCase_SpeltAsRegisteredWithItsSettingsBound()
    {
        var (options, errors) = LoadJson("""{ "OpsAgent": { "Backups": { "db": { "Engine": "PostgreS", "Schedule": "0 2 * * *", "Database": "app", "Container": "pg", "Directory": "/var/backups/db", "Format": "plain" } } } }""");

        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        Assert.That(options.Jobs["db"].Engine, Is.EqualTo("postgres"));
        Assert.That(options.Jobs["db"].EngineSettings<OpsAgent.Backups.Engines.Postgres.PostgresEngineOptions>().Format, Is.EqualTo(OpsAgent.Backups.Engines.Postgres.DumpFormat.Plain));
    }

    private static List<string> RetentionErrors(string retention)
        => [.. LoadJson($$"""{ "OpsAgent": { "Backups": { "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Database": "app", "Container": "pg", "Directory": "/var/backups/db", "Retention": {{retention}} } } } }""")
            .Errors.Select(e => e.ToString())];

    [TestCase("""{ "KeepDaily": 0 }""")]
    [TestCase("""{ "KeepLast": 0, "KeepDaily": 0, "KeepWeekly": 0, "KeepMonthly": 0, "KeepYearly": 0 }""")]
    [TestCase("""{ "DryRun": true }""")]
    public void Load_RetentionWithNoPositiveRule_IsAnErrorNamingRetention(string retention)
    {
        // restic's forget refuses a policy that sets no rule; "KeepDaily": 0 used to keep only the newest backup.
        Assert.That(RetentionErrors(retention), Has.One.StartsWith("OpsAgent:Backups:db:Retention: sets no rule"));
    }

    [TestCase("""{ "KeepDaily": 0, "KeepWeekly": 4 }""")]
    [TestCase("""{ "KeepYearly": -1 }""")]
    [TestCase("""{ "KeepWithin": "1m" }""")]
    [TestCase("""{ "KeepWithin": "1y2m3d3h" }""")]
    [TestCase("""{ "KeepWithin": "1m14d" }""")]
    [TestCase("""{ "KeepWithin": "2m2h" }""")]
    [TestCase("""{ "KeepWithin": "13d23h" }""")]
    public void Load_ResticPolicy_IsAccepted(string retention)
    {
        Assert.That(RetentionErrors(retention), Is.Empty);
    }

    [TestCase("5s", "'s' is not a unit here")]
    [TestCase("30m0s", "'s' is not a unit here")]
    [TestCase("1w", "'w' is not a unit here")]
    [TestCase("1h30", "no unit after 30")]
    [TestCase("00:30:00", "':' is not a unit")]
    [TestCase("1.5d", "'.' is not a unit")]
    [TestCase("0d", "must be longer than zero")]
    [TestCase("2d2d", "'d' is given twice")]
    [TestCase("30", "no unit after 30")]
    public void Load_KeepWithinOutsideResticsGrammar_IsRefusedSayingWhy(string within, string why)
    {
        Assert.That(RetentionErrors($$"""{ "KeepWithin": "{{within}}" }"""), Has.One.StartsWith("OpsAgent:Backups:db:Retention:KeepWithin: ").And.Contains(why));
    }

    [Test]
    public void Load_MongoDrillChecks_CollectionsOnlyEachMistakeNamed()
    {
        var (_, errors) = LoadJson("""
            { "OpsAgent": { "Backups": { "innova": { "Engine": "mongodb", "Schedule": "0 2 * * *", "Connection": "mongodb://localhost/innova_db", "Directory": "/var/backups/innova",
              "Drill": { "Schedule": "0 4 1 */3 *", "ExpectPaths": [ "x" ],
                "Checks": [ { "Collection": "users", "AtLeast": 1 }, { "Query": "select count(*) from users", "AtLeast": 1 } ] } } } } }
            """);

        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[]
        {
            "OpsAgent:Backups:innova:Drill:Checks:1:Collection",
            "OpsAgent:Backups:innova:Drill:Checks:1:Query",
            "OpsAgent:Backups:innova:Drill:ExpectPaths",
        }), string.Join("\n", errors));
    }
}
