using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Hosting;

namespace OpsAgent.Tests.Configuration;

/// <summary>
/// Every key of every shipped example given hostile values of every JSON type, through the real loader, binder and
/// validators: loading never throws, and every problem is a message with its configuration path.
/// </summary>
[NonParallelizable]
public sealed class HostileConfigurationTests
{
    private static readonly string Root = FindRoot();
    private DirectoryInfo _dir = null!;
    private ServiceProvider _provider = null!;
    private AgentConfigurationManager _manager = null!;

    /// <summary>The main configuration file the manager loads.</summary>
    private string MainFile => Path.Combine(_dir.FullName, "appsettings.json");

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("opsagent-hostile-");
        (_manager, _provider) = Manager(MainFile);
    }

    [TearDown]
    public void TearDown()
    {
        _provider.Dispose();
        _dir.Delete(recursive: true);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "agent.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("agent.sln not found above the test directory");
    }

    /// <summary>Values a typo, a template engine or an attacker could put at any key.</summary>
    internal static IEnumerable<(string Name, JsonNode? Value)> HostileValues()
    {
        yield return ("nul", JsonValue.Create("/var/backups/a\u0000b"));
        yield return ("control", JsonValue.Create("a\u0001\u001b[31m\r\nb\t"));
        yield return ("100kB", JsonValue.Create(new string('x', 100_000)));
        yield return ("path-name", JsonValue.Create("../../etc/passwd"));
        yield return ("empty", JsonValue.Create(string.Empty));
        yield return ("huge", JsonNode.Parse("1e308"));
        yield return ("bigint", JsonNode.Parse("123456789012345678901234567890"));
        yield return ("negative", JsonValue.Create(-2147483649L));
        yield return ("fraction", JsonValue.Create(1.5));
        yield return ("true", JsonValue.Create(true));
        yield return ("null", null);
        yield return ("object", new JsonObject { ["a"] = "b" });
        yield return ("array", new JsonArray(new JsonObject { ["x"] = 1 }, JsonValue.Create("y")));
        yield return ("deep", Deep(64));
    }

    private static JsonNode Deep(int depth)
    {
        JsonNode node = JsonValue.Create("bottom");
        for (var i = 0; i < depth; i++)
        {
            node = new JsonObject { ["n"] = node };
        }

        return node;
    }

    private static JsonObject Example(string name)
    {
        var text = File.ReadAllText(Path.Combine(Root, "packaging", "examples", name));
        return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
    }

    /// <summary>Every node of <paramref name="node"/> as (parent, key or index) pairs, depth first.</summary>
    private static IEnumerable<(JsonNode Parent, string? Key, int Index, string Path)> Nodes(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    yield return (o, key, -1, $"{path}:{key}");
                    if (child is not null)
                    {
                        foreach (var n in Nodes(child, $"{path}:{key}"))
                        {
                            yield return n;
                        }
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    yield return (a, null, i, $"{path}:{i}");
                    if (a[i] is { } child)
                    {
                        foreach (var n in Nodes(child, $"{path}:{i}"))
                        {
                            yield return n;
                        }
                    }
                }

                break;
        }
    }

    internal static (AgentConfigurationManager Manager, ServiceProvider Provider) Manager(string mainFile)
    {
        var services = new ServiceCollection().AddLogging().AddAgentConfiguration(new ConfigurationFiles(mainFile));
        AgentHost.AddCapabilities(services);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<AgentConfigurationManager>(), provider);
    }

    private static void AssertLoadsWithPathedErrors(AgentConfigurationManager manager, string what, List<string> failures)
    {
        try
        {
            var (_, errors, _) = manager.TryLoad();
            foreach (var error in errors)
            {
                if (!error.Path.StartsWith("OpsAgent", StringComparison.Ordinal) && !error.Path.StartsWith('/'))
                {
                    failures.Add($"{what}: an error without a configuration path: {error}");
                }

                if (error.Message.Length > 2000 || error.Message.Contains('\u0000', StringComparison.Ordinal))
                {
                    failures.Add($"{what}: an error message that is too long or carries a NUL: {error.Path}");
                }
            }
        }
        catch (Exception ex)
        {
            failures.Add($"{what}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
        }
    }

    public static IEnumerable<string> Examples() => Directory.GetFiles(Path.Combine(FindRoot(), "packaging", "examples"), "*.json").Select(Path.GetFileName)!;

    [TestCaseSource(nameof(Examples))]
    public void TryLoad_HostileValueAtEveryKeyOfAnExample_NeverThrowsAndNamesPaths(string example)
    {
        var baseline = Example(example);
        var failures = new List<string>();
        var count = Nodes(baseline, string.Empty).Count();
        for (var i = 0; i < count; i++)
        {
            foreach (var (name, value) in HostileValues())
            {
                var copy = baseline.DeepClone().AsObject();
                var (parent, key, index, path) = Nodes(copy, string.Empty).ElementAt(i);
                if (key is not null)
                {
                    parent.AsObject()[key] = value?.DeepClone();
                }
                else
                {
                    parent.AsArray()[index] = value?.DeepClone();
                }

                File.WriteAllText(MainFile, copy.ToJsonString());
                AssertLoadsWithPathedErrors(_manager, $"{example}{path} = {name}", failures);
            }
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(40)));
    }

    [TestCase("OpsAgent:Backups", """{ "Engine": "postgres", "Schedule": "0 2 * * *", "Database": "app", "Directory": "/var/backups/x" }""")]
    [TestCase("OpsAgent:Probes", """{ "Type": "tcp", "Host": "127.0.0.1", "Port": 1, "Every": "30s" }""")]
    [TestCase("OpsAgent:Notifications", """{ "Type": "smtp", "Host": "127.0.0.1", "Port": 25, "From": "a@b.test", "To": [ "c@d.test" ] }""")]
    public void TryLoad_HostileEntryNames_NeverThrowsAndNamesPaths(string section, string entry)
    {
        var failures = new List<string>();
        foreach (var name in new[] { "../../etc/cron.d/x", "a/b", "a\u0000b", "a\nb", new string('n', 5000), "*", "CON", " ", "ünï", "a:b" })
        {
            var json = new JsonObject { ["OpsAgent"] = new JsonObject() };
            var at = json["OpsAgent"]!.AsObject();
            at[section.Split(':')[1]] = new JsonObject { [name] = JsonNode.Parse(entry) };
            File.WriteAllText(MainFile, json.ToJsonString());
            AssertLoadsWithPathedErrors(_manager, $"{section}:{name[..Math.Min(name.Length, 20)]}", failures);
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public void TryLoad_HostileFiles_NeverThrowsAndNamesTheFile()
    {
        var failures = new List<string>();
        var many = new StringBuilder("""{ "OpsAgent": { "Probes": {""");
        for (var i = 0; i < 20_000; i++)
        {
            many.Append(i == 0 ? string.Empty : ",").Append(System.Globalization.CultureInfo.InvariantCulture, $$"""
                "p{{i}}": { "Type": "tcp", "Host": "127.0.0.1", "Port": {{1 + (i % 60000)}}, "Every": "30s" }
                """);
        }

        many.Append("} } }");
        var contents = new (string Name, byte[] Bytes)[]
        {
            ("binary", [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37))]),
            ("utf16", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("""{ "OpsAgent": { "TimeZone": "UTC" } }""")).ToArray()),
            ("utf16-no-bom", Encoding.Unicode.GetBytes("""{ "OpsAgent": { "TimeZone": "UTC" } }""")),
            ("nul-bytes", Encoding.UTF8.GetBytes("{ \"OpsAgent\": { \"TimeZone\": \"UTC\u0000\" } }\0\0")),
            ("deep", Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000))),
            ("deep-objects", Encoding.UTF8.GetBytes("""{ "OpsAgent": """ + Deep(200).ToJsonString(new JsonSerializerOptions { MaxDepth = 1000 }) + " }")),
            ("20000-entries", Encoding.UTF8.GetBytes(many.ToString())),
            ("truncated", Encoding.UTF8.GetBytes("""{ "OpsAgent": { "Backups": { "db": { "Engine": """)),
            ("empty", []),
        };
        foreach (var (name, bytes) in contents)
        {
            File.WriteAllBytes(MainFile, bytes);
            AssertLoadsWithPathedErrors(_manager, name, failures);
        }

        Assert.That(failures, Is.Empty, string.Join("\n", failures));

        // 20,000 probes: one message naming the section, not minutes of binding (Microsoft.Extensions.Configuration
        // lists children by scanning every key).
        File.WriteAllText(MainFile, many.ToString());
        Assert.That(_manager.TryLoad().Errors.Select(e => e.ToString()), Is.EqualTo(new[] { "OpsAgent:Probes: holds 20000 entries; at most 1000 are supported (split the host's configuration, or generate fewer)" }));
    }
}
