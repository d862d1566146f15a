using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Tests.Documentation;

/// <summary>
/// The repository carries its own reference: these tests hold <c>docs/</c> to the code. Set
/// <c>OPSAGENT_UPDATE_DOCS=1</c> to rewrite the generated schema and key table after changing an options type.
/// </summary>
public sealed partial class ReferenceDocsTests
{
    internal static string Repo
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "agent.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("agent.sln not found above the test binaries");
        }
    }

    private static string SchemaPath => Path.Combine(Repo, "docs", "appsettings.schema.json");

    private static string ConfigurationDocPath => Path.Combine(Repo, "docs", "configuration.md");

    private const string TableBegin = "<!-- BEGIN GENERATED KEY TABLE: tests/OpsAgent.Tests/Documentation/ConfigurationReference.cs -->\n";
    private const string TableEnd = "<!-- END GENERATED KEY TABLE -->";

    private static bool Update => Environment.GetEnvironmentVariable("OPSAGENT_UPDATE_DOCS") == "1";

    private static JsonSchema CommittedSchema() => JsonSchema.FromText(File.ReadAllText(SchemaPath));

    private static EvaluationResults Validate(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return CommittedSchema().Evaluate(document.RootElement.Clone(), new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Errors(EvaluationResults results)
        => string.Join("\n", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    [Test]
    public void Schema_Committed_IsWhatTheOptionsTypesGenerate()
    {
        var generated = ConfigurationReference.SchemaText();
        if (Update)
        {
            File.WriteAllText(SchemaPath, generated);
        }

        Assert.That(File.ReadAllText(SchemaPath), Is.EqualTo(generated), "docs/appsettings.schema.json is stale: run this test with OPSAGENT_UPDATE_DOCS=1 and commit the result");
    }

    [Test]
    public void Schema_EveryOptionsProperty_Present()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaPath))!;
        var missing = new List<string>();
        var sections = ConfigurationReference.Sections();
        foreach (var (path, type) in sections)
        {
            JsonNode? node = schema["properties"]!["OpsAgent"];
            foreach (var key in path.Split(':').Skip(1))
            {
                node = node?["properties"]?[key];
            }

            Walk(type, node, path, missing);
        }

        Assert.That(missing, Is.Empty, "options properties missing from docs/appsettings.schema.json");
    }

    private static void Walk(Type type, JsonNode? schema, string path, List<string> missing)
    {
        // A type the binder also takes as a string is "anyOf": [short form, object].
        var node = schema?["anyOf"] is JsonArray forms ? forms[1] as JsonObject : schema as JsonObject;
        if (node is null)
        {
            missing.Add(path);
            return;
        }

        foreach (var property in ConfigurationReference.Settable(type))
        {
            if (property.GetCustomAttributes(typeof(ConfigurationKindAttribute), false).Length > 0)
            {
                // Not a key: each registered kind's keys sit beside the entry's own.
                foreach (var kind in ConfigurationReference.Kinds().Where(k => k.EntryType == type))
                {
                    Walk(kind.SettingsType, node, path, missing);
                }

                continue;
            }

            var child = property.GetCustomAttributes(typeof(ConfigurationEntriesAttribute), false).Length > 0 ? node["additionalProperties"] : node["properties"]?[property.Name];
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (child is null)
            {
                missing.Add($"{path}:{property.Name}");
            }
            else if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>) && propertyType.GetGenericArguments()[1] is { IsClass: true } entry && entry != typeof(string) && !entry.IsGenericType)
            {
                Walk(entry, property.GetCustomAttributes(typeof(ConfigurationEntriesAttribute), false).Length > 0 ? child : child["additionalProperties"], $"{path}:{property.Name}:<name>", missing);
            }
            else if (propertyType.IsClass && propertyType != typeof(string) && !propertyType.IsGenericType)
            {
                Walk(propertyType, child, $"{path}:{property.Name}", missing);
            }
        }
    }

    public static IEnumerable<string> Examples() => Directory.GetFiles(Path.Combine(Repo, "packaging", "examples"), "*.json").Select(Path.GetFileName)!;

    [TestCaseSource(nameof(Examples))]
    public void Schema_ShippedExample_Validates(string example)
    {
        var results = Validate(File.ReadAllText(Path.Combine(Repo, "packaging", "examples", example)));

        Assert.That(results.IsValid, Is.True, Errors(results));
    }

    [TestCase("""{ "OpsAgent": { "Probes": { "web": { "Type": "http", "Url": "http://127.0.0.1/", "Shedule": "0 2 * * *" } } } }""", "/OpsAgent/Probes/web/Shedule")]
    [TestCase("""{ "OpsAgent": { "Probes": { "web": { "Type": "http", "Url": "http://127.0.0.1/", "Every": "30" } } } }""", "/OpsAgent/Probes/web/Every")]
    [TestCase("""{ "OpsAgent": { "Probes": { "smart": { "Type": "smart" } } } }""", "/OpsAgent/Probes/smart/Type")]
    [TestCase("""{ "OpsAgent": { "Loging": { "Level": "Debug" } } }""", "/OpsAgent/Loging")]
    public void Schema_MistakeCheckConfigRefuses_InvalidAtItsPath(string json, string location)
    {
        var results = Validate(json);

        Assert.That(results.IsValid, Is.False);
        Assert.That(Errors(results), Does.Contain(location + ":"), Errors(results));
    }

    [TestCase("""{ "$schema": "/usr/share/opsagent/appsettings.schema.json", "$override": true, "OpsAgent": { "Probes": { "web": { "Type": "http", "Url": "http://127.0.0.1/", "ExpectStatus": 200, "Every": "1h30m", "Timeout": "00:00:05" } } } }""")]
    [TestCase("""{ "OpsAgent": { "Backups": { "MaxConcurrentBackups": 2, "db": { "Engine": "postgres", "Schedule": "0 2 * * *", "Connection": { "FromEnvFile": "/srv/app/.env", "Variable": "DATABASE_URL" }, "Directory": "/var/backups/db" } } } }""")]
    public void Schema_WhatTheBinderAccepts_Valid(string json)
    {
        var results = Validate(json);

        Assert.That(results.IsValid, Is.True, Errors(results));
    }

    [Test]
    public void ConfigurationDoc_KeyTable_IsWhatTheOptionsTypesGenerate()
    {
        var doc = File.ReadAllText(ConfigurationDocPath);
        var begin = doc.IndexOf(TableBegin, StringComparison.Ordinal);
        var end = doc.IndexOf(TableEnd, StringComparison.Ordinal);
        Assert.That(begin >= 0 && end > begin, Is.True, $"docs/configuration.md needs the markers {TableBegin.Trim()} ... {TableEnd}");
        var generated = ConfigurationReference.MarkdownTable();
        if (Update)
        {
            doc = doc[..(begin + TableBegin.Length)] + generated + doc[end..];
            File.WriteAllText(ConfigurationDocPath, doc);
            end = doc.IndexOf(TableEnd, StringComparison.Ordinal);
        }

        Assert.That(doc[(begin + TableBegin.Length)..end], Is.EqualTo(generated), "docs/configuration.md's key table is stale: run this test with OPSAGENT_UPDATE_DOCS=1 and commit the result");
    }

    [TestCase("sims-db")]
    [TestCase("innova.db")]
    [TestCase("sims_db")]
    [TestCase("2nd")]
    [TestCase("Sims")]
    [TestCase("-db")]
    [TestCase(".db")]
    [TestCase("_db")]
    [TestCase("sims db")]
    [TestCase("a/b")]
    public void ConfigurationDoc_NamedEntriesRule_AcceptsWhatNameRulesAccepts(string name)
    {
        var bullet = File.ReadAllText(ConfigurationDocPath).Split("\n- ").Single(b => b.StartsWith("**Named entries**", StringComparison.Ordinal));
        var documented = BacktickedPattern().Match(bullet);
        Assert.That(documented.Success, Is.True, $"the rule is written as a pattern in backticks: {bullet}");

        Assert.That(Regex.IsMatch(name, $"^{documented.Groups[1].Value}$"), Is.EqualTo(NameRules.IsValid(name)), $"docs say {documented.Value}; {NameRules.Rule}");
    }

    [GeneratedRegex(@"`(\[a-z0-9\][^`]*)`")]
    private static partial Regex BacktickedPattern();

    [Test]
    public void ConfigurationDoc_EveryOptionsProperty_Named()
    {
        var doc = File.ReadAllText(ConfigurationDocPath);
        var missing = ConfigurationReference.Sections().Values
            .SelectMany(t => Types(t)).Distinct()
            .SelectMany(t => ConfigurationReference.Settable(t).Where(p => p.GetCustomAttributes(typeof(ConfigurationEntriesAttribute), false).Length == 0
                && p.GetCustomAttributes(typeof(ConfigurationKindAttribute), false).Length == 0).Select(p => $"{t.Name}.{p.Name}"))
            .Select(name => (Name: name, Key: name.Split('.')[1]))
            .Where(p => !doc.Contains($":{p.Key}`", StringComparison.Ordinal) && !doc.Contains($":{p.Key}:", StringComparison.Ordinal) && !doc.Contains($"\"{p.Key}\"", StringComparison.Ordinal))
            .Select(p => p.Name)
            .ToList();

        Assert.That(missing, Is.Empty, "options properties docs/configuration.md does not name: " + string.Join(", ", missing));
    }

    private static IEnumerable<Type> Types(Type type)
    {
        yield return type;
        foreach (var kind in ConfigurationReference.Kinds().Where(k => k.EntryType == type))
        {
            yield return kind.SettingsType;
        }

        foreach (var property in ConfigurationReference.Settable(type))
        {
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var inner = t.IsGenericType ? t.GetGenericArguments().Last() : t;
            if (inner.IsClass && inner != typeof(string) && !inner.IsGenericType && inner.Namespace!.StartsWith("OpsAgent", StringComparison.Ordinal))
            {
                foreach (var nested in Types(inner))
                {
                    yield return nested;
                }
            }
        }
    }

    [GeneratedRegex(@"EventScope\.Begin\(\w+, ""([a-z_]+)""")]
    private static partial Regex EventInCode();

    [GeneratedRegex(@"^\| `([a-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex EventInDoc();

    internal static IEnumerable<(string File, string Text)> Sources()
        => Directory.EnumerateFiles(Path.Combine(Repo, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (f, File.ReadAllText(f)));

    [Test]
    public void JournalEvents_CodeAndDocs_ListTheSameEvents()
    {
        // Certificate level events are named from the level: certificate_ok, certificate_warning, certificate_critical.
        var inCode = Sources().SelectMany(s => EventInCode().Matches(s.Text).Select(m => m.Groups[1].Value))
            .Concat(["certificate_ok", "certificate_warning", "certificate_critical"]).ToHashSet(StringComparer.Ordinal);
        var inDoc = EventInDoc().Matches(File.ReadAllText(Path.Combine(Repo, "docs", "journal-events.md"))).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            Assert.That(inCode.Except(inDoc).Order(StringComparer.Ordinal), Is.Empty, "emitted but not in docs/journal-events.md");
            Assert.That(inDoc.Except(inCode).Order(StringComparer.Ordinal), Is.Empty, "in docs/journal-events.md but never emitted");
        });
    }

    [GeneratedRegex(@"(?:ProbeResult\.Fail|BackupFailedException|new Failure)\(""([a-z_0-9]+)""")]
    private static partial Regex ReasonInCode();

    [GeneratedRegex(@"const string \w+ = ""([a-z_]+)""")]
    private static partial Regex ReasonConstant();

    [Test]
    public void FailureReasons_EveryReasonInCode_Documented()
    {
        var reasons = Sources().SelectMany(s => ReasonInCode().Matches(s.Text).Select(m => m.Groups[1].Value)
                .Concat(Path.GetFileName(s.File).EndsWith("Reasons.cs", StringComparison.Ordinal) ? ReasonConstant().Matches(s.Text).Select(m => m.Groups[1].Value) : []))
            .ToHashSet(StringComparer.Ordinal);
        var doc = File.ReadAllText(Path.Combine(Repo, "docs", "failure-reasons.md"));

        Assert.That(reasons, Is.Not.Empty);
        Assert.That(reasons.Where(r => !doc.Contains($"`{r}`", StringComparison.Ordinal)).Order(StringComparer.Ordinal), Is.Empty, "reasons missing from docs/failure-reasons.md");
    }

    [Test]
    public void Repository_StandsOnItsOwn_NoDesignSectionsNorSharedLinks()
    {
        var tracked = new[] { "src", "tests", "packaging", "systemd", "docs" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Repo, d), "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.EndsWith(nameof(ReferenceDocsTests) + ".cs", StringComparison.Ordinal))
            .Append(Path.Combine(Repo, "README.md"));
        var offenders = tracked.Where(f => File.ReadAllText(f) is var text
                && (text.Contains("DESIGN §", StringComparison.Ordinal) || text.Contains("DESIGN.md", StringComparison.Ordinal) || text.Contains("../shared", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(Repo, f));

        Assert.That(offenders, Is.Empty, "a clone has no ../shared: the repository's own docs/ must be cited instead");
    }

    [Test]
    public void DebianPackage_InstallsTheSchemaAndTheDocs()
    {
        var build = File.ReadAllText(Path.Combine(Repo, "packaging", "deb", "build.sh"));

        Assert.That(build, Does.Contain("\"$repo/docs/appsettings.schema.json\" \"$root/usr/share/opsagent/appsettings.schema.json\""));
        Assert.That(build, Does.Contain("\"$repo\"/docs/*.md"));
    }
}
