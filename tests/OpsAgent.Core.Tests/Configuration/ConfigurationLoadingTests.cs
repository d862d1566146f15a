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
        var services = new ServiceCollection().AddLogging().AddAgentConfiguration(new ConfigurationFiles(main))
            .AddAgentSection<WatchOptions>(WatchOptions.SectionName);
        return services.BuildServiceProvider().GetRequiredService<AgentConfigurationManager>();
    }

    private void WriteConfD(string name, string json)
    {
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "conf.d"));
        File.WriteAllText(Path.Combine(_dir.FullName, "conf.d", name), json);
    }

    [Test]
    public void TryLoad_TwoConfDFilesDefineTheSameEntry_ErrorNamesBothFiles()
    {
        var manager = Manager("""{ "OpsAgent": { "TimeZone": "UTC" } }""");
        WriteConfD("innovaplus.json", """{ "OpsAgent": { "Watch": { "Files": { "letsencrypt": { "Path": "/etc/letsencrypt/live/a/cert.pem", "OnCritical": { "Command": "certbot renew", "Then": "reload nginx" } } } } } }""");
        WriteConfD("ujmp.json", """{ "OpsAgent": { "Watch": { "Files": { "letsencrypt": { "OnCritical": { "Command": "certbot renew --cert-name ujmp" } }, "other": { "Path": "/x" } } } } }""");

        var (configuration, errors, _) = manager.TryLoad();

        Assert.That(configuration, Is.Null);
        Assert.That(errors, Has.Count.EqualTo(1), string.Join("\n", errors));
        Assert.That(errors[0].Path, Is.EqualTo("OpsAgent:Watch:Files:letsencrypt"));
        Assert.That(errors[0].Message, Does.Contain(Path.Combine(_dir.FullName, "conf.d", "innovaplus.json"))
            .And.Contain(Path.Combine(_dir.FullName, "conf.d", "ujmp.json")).And.Contain("\"$override\": true"));
    }

    [Test]
    public void TryLoad_TwoConfDFilesSetTheSameSetting_ErrorNamesBothFiles()
    {
        var manager = Manager("""{ "OpsAgent": { "TimeZone": "UTC" } }""");
        WriteConfD("a.json", """{ "OpsAgent": { "StateDirectory": "/srv/a" } }""");
        WriteConfD("b.json", """{ "OpsAgent": { "StateDirectory": "/srv/b" } }""");

        var (_, errors, _) = manager.TryLoad();

        Assert.That(errors.Select(e => e.Path), Is.EqualTo(new[] { "OpsAgent:StateDirectory" }), string.Join("\n", errors));
    }

    [Test]
    public void TryLoad_TwoConfDFilesSetTheSameSettingToTheSameValue_Accepted()
    {
        // The shipped examples each carry "Certificates": { "Schedule": "0 */6 * * *", ... }: copying two of them is fine.
        var manager = Manager("""{ "OpsAgent": { "TimeZone": "UTC" } }""");
        WriteConfD("a.json", """{ "OpsAgent": { "StateDirectory": "/srv/same" } }""");
        WriteConfD("b.json", """{ "OpsAgent": { "StateDirectory": "/srv/same" } }""");

        var (_, errors, _) = manager.TryLoad();

        Assert.That(errors, Is.Empty, string.Join("\n", errors));
    }

    [Test]
    public void TryLoad_LaterConfDFileMarkedOverride_ReplacesTheEntryWhole()
    {
        var manager = Manager("""{ "OpsAgent": { "TimeZone": "UTC" } }""");
        WriteConfD("10-base.json", """{ "OpsAgent": { "Watch": { "Files": { "letsencrypt": { "Path": "/a", "OnCritical": { "Command": "certbot renew", "Then": "reload nginx" } } } } } }""");
        WriteConfD("20-site.json", """{ "$override": true, "OpsAgent": { "Watch": { "Files": { "letsencrypt": { "Path": "/b", "OnCritical": { "Command": "certbot renew --cert-name b" } } } } } }""");

        var (configuration, errors, _) = manager.TryLoad();

        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        var entry = configuration!.Get<WatchOptions>().Files["letsencrypt"];
        Assert.That(entry.Path, Is.EqualTo("/b"));
        Assert.That(entry.OnCritical!.Command, Is.EqualTo("certbot renew --cert-name b"));
        Assert.That(entry.OnCritical.Then, Is.Null, "an override replaces the entry; it does not merge into a hybrid");
    }

    [Test]
    public void TryLoad_ConfDFileOverridesMainFile_Accepted()
    {
        var manager = Manager("""{ "OpsAgent": { "TimeZone": "UTC", "StateDirectory": "/var/lib/opsagent" } }""");
        WriteConfD("a.json", """{ "OpsAgent": { "StateDirectory": "/srv/a" } }""");

        var (configuration, errors, _) = manager.TryLoad();

        Assert.That(errors, Is.Empty, string.Join("\n", errors));
        Assert.That(configuration!.Agent.StateDirectory, Is.EqualTo("/srv/a"));
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
        File.WriteAllText(Path.Combine(_dir.FullName, "conf.d", "20-b.json"), """{ "$override": true, "OpsAgent": { "Logging": { "Level": "Error" } } }""");
        File.WriteAllText(Path.Combine(_dir.FullName, "conf.d", "10-a.json"), """{ "OpsAgent": { "Logging": { "Level": "Debug" }, "StateDirectory": "/srv/state" } }""");

        var (configuration, errors, _) = manager.TryLoad();

        Assert.That(errors, Is.Empty);
        Assert.That(configuration!.Agent.Logging.Level, Is.EqualTo("Error"));
        Assert.That(configuration.Agent.StateDirectory, Is.EqualTo("/srv/state"));
        Assert.That(configuration.Files.Select(Path.GetFileName), Is.EqualTo(new[] { "appsettings.json", "10-a.json", "20-b.json" }));
    }

    [Test]
    public void LoadInitial_EditorAndAnsibleLeftoversInConfD_NotLoaded()
    {
        var manager = Manager("""{ "OpsAgent": { "TimeZone": "UTC" } }""");
        WriteConfD("app.json", """{ "OpsAgent": { "StateDirectory": "/srv/app" } }""");
        // Emacs' lock while app.json is edited: a dangling symlink to user@host.pid.
        File.CreateSymbolicLink(Path.Combine(_dir.FullName, "conf.d", ".#app.json"), "root@host.4242:1700000000");
        // Ansible's temporary copy before it renames it over app.json, and an editor's hidden backup.
        WriteConfD(".ansible_tmpk2j8y1app.json", """{ "OpsAgent": { "StateDirectory": "/srv/half-written" """);
        WriteConfD(".app.json.swp.json", """{ "OpsAgent": { "StateDirectory": "/srv/other" } }""");
        WriteConfD("notes.txt", "not configuration");

        var configuration = manager.LoadInitial();

        Assert.That(configuration.Files.Select(Path.GetFileName), Is.EqualTo(new[] { "appsettings.json", "app.json" }));
        Assert.That(configuration.Agent.StateDirectory, Is.EqualTo("/srv/app"));
    }

    [Test]
    public async Task ReloadAsync_UnreadableConfDEntryRemoved_PendingEditAppliedAndErrorCleared()
    {
        var manager = Manager("""{ "OpsAgent": { "TimeZone": "UTC" } }""");
        WriteConfD("app.json", """{ "OpsAgent": { "StateDirectory": "/srv/before" } }""");
        manager.LoadInitial();
        var dangling = Path.Combine(_dir.FullName, "conf.d", "zz-gone.json");
        File.CreateSymbolicLink(dangling, Path.Combine(_dir.FullName, "nowhere.json"));
        WriteConfD("app.json", """{ "OpsAgent": { "StateDirectory": "/srv/after" } }""");
        var rejected = await manager.ReloadAsync("file", force: false, CancellationToken.None);
        Assert.That((rejected, manager.LastErrors.Select(e => e.Path).Single()), Is.EqualTo((false, dangling)));

        File.Delete(dangling);
        // What the watcher does on the removal event (or the poll, which asks the same way).
        var applied = await manager.ReloadAsync($"file {dangling}", force: false, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.True, "the removal must let the pending edit through");
            Assert.That(manager.Current.Agent.StateDirectory, Is.EqualTo("/srv/after"));
            Assert.That(manager.LastErrors, Is.Empty);
        });
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

internal sealed class WatchOptions
{
    public const string SectionName = "OpsAgent:Watch";

    public Dictionary<string, WatchedFile> Files { get; set; } = [];
}

internal sealed class WatchedFile
{
    public string? Path { get; set; }

    public WatchAction? OnCritical { get; set; }
}

internal sealed class WatchAction
{
    public string? Command { get; set; }

    public string? Then { get; set; }
}
