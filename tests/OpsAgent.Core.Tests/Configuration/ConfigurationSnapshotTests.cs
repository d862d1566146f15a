using Microsoft.Extensions.Configuration;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.Tests.Configuration;

/// <summary>The binder's tree answers as the configuration root does: every section, value and child order, over layers.</summary>
public sealed class ConfigurationSnapshotTests
{
    private static IConfigurationRoot Layers() => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpsAgent:Probes:web:Type"] = "http", ["OpsAgent:Probes:web:Every"] = "30s",
            ["OpsAgent:Probes:web:ExpectStatus:0"] = "200", ["OpsAgent:Probes:web:ExpectStatus:1"] = "204",
            ["OpsAgent:Probes:db:Type"] = "postgres", ["OpsAgent:Probes:db:Query"] = "select 1",
            ["OpsAgent:Probes:web:Headers:X"] = "a",
        })
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            // A conf.d layer: another case for the same key, a null over a value, list items past 9.
            ["opsagent:probes:WEB:every"] = "10s", ["OpsAgent:Probes:db:Query"] = null,
            ["OpsAgent:Probes:web:ExpectStatus:10"] = "301", ["OpsAgent:Probes:web:ExpectStatus:9"] = "302", ["OpsAgent:Probes:web:ExpectStatus:2"] = "303",
            ["OpsAgent:Empty"] = "",
        })
        .Build();

    private static IEnumerable<string> Walk(IConfiguration node, string indent = "")
    {
        foreach (var child in node.GetChildren())
        {
            yield return $"{indent}{child.Key} [{child.Path}] = {child.Value ?? "(null)"}";
            foreach (var line in Walk(child, indent + "  "))
            {
                yield return line;
            }
        }
    }

    [Test]
    public void Of_TwoLayers_SameTreeValuesAndOrderAsTheRoot()
    {
        var root = Layers();
        var snapshot = ConfigurationSnapshot.Of(root);

        // Where two layers spell a key differently the root's spelling depends on an unstable sort: keys compare without case.
        Assert.That(Walk(snapshot).ToList(), Is.EqualTo(Walk(root).ToList()).Using<string>((a, b) => string.Compare(a, b, StringComparison.OrdinalIgnoreCase)));
        Assert.That(Walk(snapshot).Select(l => l.Split(" = ")[1]), Is.EqualTo(Walk(root).Select(l => l.Split(" = ")[1])), "values exactly");
        Assert.That(snapshot.GetSection("OpsAgent:Probes:web:ExpectStatus").GetChildren().Select(c => c.Key), Is.EqualTo(new[] { "0", "1", "2", "9", "10" }), "list items in number order");
    }

    [TestCase("OpsAgent:Probes:WEB:Every")]
    [TestCase("OpsAgent:Probes:db:Query")]
    [TestCase("OpsAgent:Probes:nope:Type")]
    [TestCase("OpsAgent:Empty")]
    [TestCase("Nothing")]
    public void GetSection_AnyPath_AnswersAsTheRoot(string path)
    {
        var root = Layers();
        var snapshot = ConfigurationSnapshot.Of(root);

        var (expected, actual) = (root.GetSection(path), snapshot.GetSection(path));
        Assert.That((actual.Key, actual.Path, actual.Value, actual.GetChildren().Count()), Is.EqualTo((expected.Key, expected.Path, expected.Value, expected.GetChildren().Count())));
    }
}
