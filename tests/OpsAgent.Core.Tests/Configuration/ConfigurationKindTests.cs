using Microsoft.Extensions.Configuration;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.Tests.Configuration;

public sealed class ConfigurationKindTests
{
    private sealed class Entry
    {
        public string? Type { get; set; }

        public TimeSpan Every { get; set; }

        [ConfigurationKind]
        public object? Settings { get; set; }

        public Target? Restart { get; set; }
    }

    private sealed class Target
    {
        public int MaxRestarts { get; set; } = 3;

        [ConfigurationKind]
        public object? Settings { get; set; }
    }

    private sealed class WebSettings
    {
        public string? Url { get; set; }

        public List<int> ExpectStatus { get; set; } = [];
    }

    private sealed class PortSettings
    {
        public int? Port { get; set; }
    }

    private sealed class UnitSettings
    {
        public string? Unit { get; set; }
    }

    private sealed class ContainerSettings
    {
        public string? Container { get; set; }

        public int StopTimeoutSeconds { get; set; } = 10;
    }

    private static readonly ConfigurationKind[] Kinds =
    [
        new(typeof(Entry), "Type", "web", typeof(WebSettings)),
        new(typeof(Entry), "Type", "port", typeof(PortSettings)),
        new(typeof(Target), null, "Unit", typeof(UnitSettings)),
        new(typeof(Target), null, "Container", typeof(ContainerSettings)),
    ];

    private static (Entry Entry, List<ConfigError> Errors) Bind(string json)
    {
        var errors = new List<ConfigError>();
        var section = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build().GetSection("S");
        return (StrictBinder.Bind<Entry>(section, errors, Kinds), errors);
    }

    [Test]
    public void Bind_KindNamedByType_ItsSettingsBoundBesideTheEntrysOwn()
    {
        var (entry, errors) = Bind("""{ "S": { "Type": "WEB", "Url": "http://x/", "ExpectStatus": 204, "Every": "10s" } }""");

        Assert.That(errors, Is.Empty);
        Assert.That(entry.Every, Is.EqualTo(TimeSpan.FromSeconds(10)));
        var web = entry.Settings as WebSettings;
        Assert.That(web?.Url, Is.EqualTo("http://x/"));
        Assert.That(web!.ExpectStatus, Is.EqualTo(new[] { 204 }));
    }

    [Test]
    public void Bind_KeyOfAnotherKind_UnknownNamingTheKeysThisKindKnows()
    {
        var (_, errors) = Bind("""{ "S": { "Type": "port", "Port": 5432, "Url": "http://x/" } }""");

        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[] { "S:Url: unknown setting (known: Every, Port, Restart, Type)" }));
    }

    [Test]
    public void Bind_UnknownKind_OnlyKeysNoKindKnowsReported()
    {
        // The entry's validator reports the unknown Type once; Url and Port must not add a message each.
        var (entry, errors) = Bind("""{ "S": { "Type": "disk", "Url": "http://x/", "Port": 1, "Shedule": "x" } }""");

        Assert.That(errors.Select(e => e.Path), Is.EqualTo(new[] { "S:Shedule" }));
        Assert.That(entry.Settings, Is.Null);
    }

    [Test]
    public void Bind_KindSelectedByItsKey_SettingsBoundAndDefaultsKept()
    {
        var (entry, errors) = Bind("""{ "S": { "Type": "web", "Restart": { "Container": "app", "MaxRestarts": 5 } } }""");

        Assert.That(errors, Is.Empty);
        Assert.That(entry.Restart!.MaxRestarts, Is.EqualTo(5));
        var container = entry.Restart.Settings as ContainerSettings;
        Assert.That(container?.Container, Is.EqualTo("app"));
        Assert.That(container!.StopTimeoutSeconds, Is.EqualTo(10));
    }

    [Test]
    public void Bind_TwoKindKeys_NoKindSelectedAndNoKeyNoise()
    {
        var (entry, errors) = Bind("""{ "S": { "Type": "web", "Restart": { "Container": "app", "Unit": "app.service" } } }""");

        Assert.That(errors, Is.Empty);
        Assert.That(entry.Restart!.Settings, Is.Null);
    }

    [Test]
    public void Bind_BadValueInKindSettings_ReportedWithItsPath()
    {
        var (_, errors) = Bind("""{ "S": { "Type": "port", "Port": "fifty" } }""");

        Assert.That(errors.Select(e => e.ToString()), Is.EqualTo(new[] { "S:Port: 'fifty' is not a whole number" }));
    }
}
