using Microsoft.Extensions.Configuration;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Tests;

public sealed class BackupsOptionsValidatorTests
{
    private static (BackupsOptions Options, List<ConfigError> Errors) Load(string directory)
    {
        var json = $$"""
            { "OpsAgent": { "Backups": { "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Database": "app", "Container": "pg", "Directory": "{{directory}}" } } } }
            """;
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var errors = new List<ConfigError>();
        var options = (BackupsOptions)new AgentSection<BackupsOptions>(BackupsOptions.SectionName, [new BackupsOptionsValidator()]).Load(root, errors);
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
        var json = """
            { "OpsAgent": { "Backups": { "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Directory": "/var/backups/db",
              "Connection": "Host=127.0.0.1;Password=Leak;Me123;Database=small" } } } }
            """;
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var errors = new List<ConfigError>();
        new AgentSection<BackupsOptions>(BackupsOptions.SectionName, [new BackupsOptionsValidator()]).Load(root, errors);

        Assert.That(errors.Select(e => e.ToString()), Has.One.StartsWith("OpsAgent:Backups:db:Connection: ").And.Contains("Password"));
        Assert.That(string.Join("\n", errors), Does.Not.Contain("leak").IgnoreCase.And.Not.Contain("me123").IgnoreCase);
    }
}
