using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.Tests.Configuration;

public sealed class ConfigurationLoadingTests
{
    private DirectoryInfo _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("opsagent-config-");

    [TearDown]
    public void TearDown() => _dir.Delete(recursive: true);

    private AgentConfigurationManager Manager(string json)
    {
        var main = Path.Combine(_dir.FullName, "appsettings.json");
        File.WriteAllText(main, json);
        var services = new ServiceCollection().AddLogging().AddAgentConfiguration(new ConfigurationFiles(main));
        return services.BuildServiceProvider().GetRequiredService<AgentConfigurationManager>();
    }

    [Test]
    public void TryLoad_SeveralMistakes_ReportsEveryOneWithItsPath()
    {
        var manager = Manager("""
            { "OpsAgent": {
                "TimeZone": "Mars/Olympus",
                "Http": { "Listen": "9464" },
                "Loging": { "Level": "Debug" },
                "Logging": { "Level": "Chatty" }
            } }
            """);

        var (configuration, errors, _) = manager.TryLoad();

        Assert.That(configuration, Is.Null);
        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[]
        {
            "OpsAgent:Loging", "OpsAgent:TimeZone", "OpsAgent:Http:Listen", "OpsAgent:Logging:Level",
        }));
        Assert.That(errors.Single(e => e.Path == "OpsAgent:Loging").Message, Does.StartWith("unknown setting"));
    }

    [Test]
    public void TryLoad_BrokenJson_NamesTheFile()
    {
        var manager = Manager("{ \"OpsAgent\": { \"TimeZone\": \"UTC\", } ");
        var (_, errors, _) = manager.TryLoad();
        Assert.That(errors.Single().Path, Does.EndWith("appsettings.json"));
        Assert.That(errors.Single().Message, Does.StartWith("not valid JSON"));
    }

    [Test]
    public void TryLoad_ConfDirectory_MergedInNameOrderAfterMainFile()
    {
        var manager = Manager("""{ "OpsAgent": { "TimeZone": "UTC", "Logging": { "Level": "Warning" } } }""");
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "conf.d"));
        File.WriteAllText(Path.Combine(_dir.FullName, "conf.d", "20-b.json"), """{ "OpsAgent": { "Logging": { "Level": "Error" } } }""");
        File.WriteAllText(Path.Combine(_dir.FullName, "conf.d", "10-a.json"), """{ "OpsAgent": { "Logging": { "Level": "Debug" }, "StateDirectory": "/srv/state" } }""");

        var (configuration, errors, _) = manager.TryLoad();

        Assert.That(errors, Is.Empty);
        Assert.That(configuration!.Agent.Logging.Level, Is.EqualTo("Error"));
        Assert.That(configuration.Agent.StateDirectory, Is.EqualTo("/srv/state"));
        Assert.That(configuration.Files.Select(Path.GetFileName), Is.EqualTo(new[] { "appsettings.json", "10-a.json", "20-b.json" }));
    }

    [Test]
    public void Build_EnvironmentOverride_WinsOverFiles()
    {
        var main = Path.Combine(_dir.FullName, "appsettings.json");
        File.WriteAllText(main, """{ "OpsAgent": { "Http": { "Listen": "http://127.0.0.1:9464" } } }""");
        var errors = new List<ConfigError>();

        var (root, _, _) = ConfigurationLoader.Build(new ConfigurationFiles(main), errors,
            new Dictionary<string, string> { ["OPSAGENT__HTTP__LISTEN"] = "http://0.0.0.0:9100", ["OTHER__X"] = "y" });

        Assert.That(errors, Is.Empty);
        Assert.That(root!["OpsAgent:Http:Listen"], Is.EqualTo("http://0.0.0.0:9100"));
    }

    [Test]
    public void LoadInitial_InvalidFile_ThrowsWithEveryError()
    {
        var manager = Manager("""{ "OpsAgent": { "TimeZone": "Nowhere/City", "Docker": { "Endpoint": "docker.sock" } } }""");
        var ex = Assert.Throws<ConfigurationInvalidException>(() => manager.LoadInitial());
        Assert.That(ex!.Errors, Has.Count.EqualTo(2));
        Assert.That(ex.Message, Does.Contain("OpsAgent:TimeZone: 'Nowhere/City' is not a known time zone"));
        Assert.That(ex.Message, Does.Contain("OpsAgent:Docker:Endpoint: 'docker.sock' is not a Docker endpoint"));
    }
}
