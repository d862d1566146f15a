using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;
using OpsAgent.Hosting;

namespace OpsAgent.Tests.Documentation;

/// <summary>
/// Generates the JSON Schema (<c>docs/appsettings.schema.json</c>) and the key table of <c>docs/configuration.md</c>
/// from the options types the agent registers, their defaults and their XML documentation.
/// </summary>
/// <remarks>
/// Hand-written rather than <c>System.Text.Json.Schema.JsonSchemaExporter</c>: that exporter follows System.Text.Json's
/// contract, while the configuration is read by <see cref="StrictBinder"/>, whose rules the schema must state instead
/// (named entries beside settings, a one-element list written as its element, durations as <c>30s</c> or
/// <c>00:00:30</c>, secrets as a string or an object, unknown keys refused).
/// </remarks>
internal static partial class ConfigurationReference
{
    /// <summary>restic's y, m (months), d, h, each once in any order (the schema cannot say "once"; the agent does).</summary>
    internal const string ResticDurationPattern = @"^\s*(\d+[ymdh])+\s*$";

    /// <summary>What <see cref="OpsAgent.Core.Text.ByteSize"/> reads from a string (a JSON number is a count of bytes).</summary>
    internal const string ByteSizePattern = @"^\s*\d+(\.\d+)?\s*(KiB|MiB|GiB|TiB|kB|MB|GB|TB|K|M|G|T|k|B)?\s*$";

    /// <summary>The schema's pattern for a duration: the clock form or the short form, never a bare number.</summary>
    internal const string DurationPattern = @"^\s*(\d+\.)?\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*$|^\s*(?=\d)(\d+d)?\s*(\d+h)?\s*(\d+m(?!s))?\s*(\d+(\.\d+)?s)?\s*(\d+ms)?\s*$";

    private static readonly Lazy<Dictionary<string, string>> Docs = new(LoadDocs);

    private static readonly Lazy<(SortedDictionary<string, Type> Sections, List<ConfigurationKind> Kinds)> Registered = new(LoadRegistered);

    /// <summary>The sections the agent registers: path → options type.</summary>
    internal static SortedDictionary<string, Type> Sections() => Registered.Value.Sections;

    /// <summary>The kinds (probe types, restart targets, engines) the agent registers, in registration order.</summary>
    internal static IReadOnlyList<ConfigurationKind> Kinds() => Registered.Value.Kinds;

    private static (SortedDictionary<string, Type>, List<ConfigurationKind>) LoadRegistered()
    {
        var services = new ServiceCollection().AddAgentConfiguration(new ConfigurationFiles("/nonexistent/appsettings.json"));
        AgentHost.AddCapabilities(services);
        using var provider = services.BuildServiceProvider();
        return (new(provider.GetServices<IAgentSection>().ToDictionary(s => s.Path, s => s.OptionsType), StringComparer.Ordinal),
            [.. provider.GetServices<ConfigurationKind>()]);
    }

    /// <summary>
    /// The keys of an entry of <paramref name="type"/>: its own, and at its discriminator (or first, when kinds are selected by
    /// key) those of every registered kind, once per name, each with the type that declares it.
    /// </summary>
    private static List<(PropertyInfo Property, object? Instance, IReadOnlyList<string>? KindNames)> Keys(Type type)
    {
        var own = Settable(type).Where(p => p.GetCustomAttribute<ConfigurationEntriesAttribute>() is null && p.GetCustomAttribute<ConfigurationKindAttribute>() is null).ToList();
        var hasKinds = Settable(type).Any(p => p.GetCustomAttribute<ConfigurationKindAttribute>() is not null);
        var kinds = hasKinds ? Kinds().Where(k => k.EntryType == type).ToList() : [];
        var instance = Activator.CreateInstance(type);
        var kindKeys = kinds.SelectMany(k => Settable(k.SettingsType).Select(p => (Property: p, Instance: Activator.CreateInstance(k.SettingsType))))
            .DistinctBy(k => k.Property.Name, StringComparer.OrdinalIgnoreCase)
            .Select(k => (k.Property, k.Instance, (IReadOnlyList<string>?)null))
            .ToList();
        var discriminator = kinds.FirstOrDefault()?.Discriminator;
        var at = discriminator is null ? 0 : own.FindIndex(p => p.Name == discriminator) + 1;
        var names = kinds.Select(k => k.Name.ToLowerInvariant()).ToList();
        var result = own.Select(p => (p, instance, p.Name == discriminator ? names : (IReadOnlyList<string>?)null)).ToList();
        result.InsertRange(at, kindKeys);
        return result;
    }

    /// <summary>The whole schema, as committed.</summary>
    internal static string SchemaText()
    {
        var sections = Sections();
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = "OpsAgent configuration (appsettings.json and conf.d/*.json)",
            ["description"] = "Generated from the options types by tests/OpsAgent.Tests/Documentation/ConfigurationReference.cs; see docs/configuration.md.",
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["$schema"] = new JsonObject { ["type"] = "string", ["description"] = "This schema, for editors: /usr/share/opsagent/appsettings.schema.json" },
                [ConfigurationLoader.OverrideKey] = new JsonObject
                {
                    ["type"] = "boolean",
                    ["description"] = "conf.d files only: entries and settings this file defines replace those of earlier conf.d files whole instead of being an error.",
                },
                [OpsAgentOptions.SectionName] = ObjectSchema(typeof(OpsAgentOptions), OpsAgentOptions.SectionName, sections, []),
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() }) + "\n";
    }

    /// <summary>The key table of <c>docs/configuration.md</c>, as committed between its markers.</summary>
    internal static string MarkdownTable()
    {
        var rows = new List<(string Key, string Type, string Default, string Meaning)>();
        ObjectSchema(typeof(OpsAgentOptions), OpsAgentOptions.SectionName, Sections(), rows);
        var text = new StringBuilder("| Key | Type | Default | Meaning |\n| --- | --- | --- | --- |\n");
        foreach (var (key, type, @default, meaning) in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| `{key}` | {type} | {@default} | {meaning.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        }

        return text.ToString();
    }

    private static JsonObject ObjectSchema(Type type, string path, IReadOnlyDictionary<string, Type> sections, List<(string, string, string, string)> rows)
    {
        var properties = new JsonObject();
        foreach (var (property, instance, kindNames) in Keys(type))
        {
            var key = $"{path}:{property.Name}";
            var leaf = true;
            var schema = kindNames is null ? ValueSchema(property.PropertyType, key, sections, rows, out leaf)
                : new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. kindNames.Select(n => JsonValue.Create(n))]) };
            var doc = Doc($"P:{property.DeclaringType!.FullName!.Replace('+', '.')}.{property.Name}");
            var value = Default(property.GetValue(instance));
            if (doc is not null)
            {
                schema["description"] = doc;
            }

            if (value is not null)
            {
                schema["default"] = value;
            }

            if (leaf)
            {
                rows.Add((key, kindNames is null ? Describe(property.PropertyType) : string.Join(" \\| ", kindNames.Select(n => $"`{n}`")), value is null ? "" : $"`{(value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString())}`", doc ?? ""));
            }

            properties[property.Name] = schema;
        }

        foreach (var (sectionPath, sectionType) in sections.Where(s => s.Key.StartsWith(path + ":", StringComparison.Ordinal) && !s.Key[(path.Length + 1)..].Contains(':', StringComparison.Ordinal)))
        {
            var schema = ObjectSchema(sectionType, sectionPath, sections, rows);
            properties[sectionPath[(path.Length + 1)..]] = schema;
        }

        var result = new JsonObject { ["type"] = "object" };
        if (Doc($"T:{type.FullName!.Replace('+', '.')}") is { } typeDoc)
        {
            result["description"] = typeDoc;
        }

        result["properties"] = properties;
        var entries = Settable(type).SingleOrDefault(p => p.GetCustomAttribute<ConfigurationEntriesAttribute>() is not null);
        result["additionalProperties"] = entries is null ? false
            : ValueSchema(entries.PropertyType.GetGenericArguments()[1], $"{path}:<name>", sections, rows, out _);
        return result;
    }

    private static JsonObject ValueSchema(Type type, string path, IReadOnlyDictionary<string, Type> sections, List<(string, string, string, string)> rows, out bool leaf)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        leaf = true;
        if (Scalar(underlying) is { } scalar)
        {
            return scalar;
        }

        if (underlying.IsClass && System.ComponentModel.TypeDescriptor.GetConverter(underlying).CanConvertFrom(typeof(string)))
        {
            // The binder takes such a value as a string too: a secret itself, or an entry's short form.
            var shortForm = new JsonObject
            {
                ["type"] = "string",
                ["description"] = underlying == typeof(SecretReference) ? "The secret itself (better: File, FromEnvFile with Variable, or Environment)" : "The short form",
            };
            var full = ObjectSchema(underlying, path, sections, underlying == typeof(SecretReference) ? [] : rows);
            leaf = underlying == typeof(SecretReference);
            return new JsonObject { ["anyOf"] = new JsonArray(shortForm, full) };
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            var element = underlying.GetGenericArguments()[0];
            var item = ValueSchema(element, $"{path}:<n>", sections, rows, out var elementIsLeaf);
            leaf = elementIsLeaf;
            var array = new JsonObject { ["type"] = "array", ["items"] = item };
            // A one-element list may be written as its element ("ExpectStatus": 200).
            return Scalar(element) is { } single ? new JsonObject { ["anyOf"] = new JsonArray(array, single) } : array;
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            var value = ValueSchema(underlying.GetGenericArguments()[1], $"{path}:<name>", sections, rows, out var valueIsLeaf);
            leaf = valueIsLeaf;
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = value };
        }

        leaf = false;
        return ObjectSchema(underlying, path, sections, rows);
    }

    private static JsonObject? Scalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => new JsonObject { ["type"] = "string" },
            _ when type == typeof(bool) => new JsonObject { ["type"] = "boolean" },
            _ when type == typeof(int) || type == typeof(long) => new JsonObject { ["type"] = "integer" },
            _ when type == typeof(double) || type == typeof(decimal) => new JsonObject { ["type"] = "number" },
            _ when type == typeof(TimeSpan) => new JsonObject { ["type"] = "string", ["pattern"] = DurationPattern },
            _ when type == typeof(OpsAgent.Backups.Retention.RetentionDuration) => new JsonObject { ["type"] = "string", ["pattern"] = ResticDurationPattern },
            _ when type == typeof(OpsAgent.Core.Text.ByteSize) => new JsonObject { ["type"] = new JsonArray("integer", "string"), ["pattern"] = ByteSizePattern, ["minimum"] = 0 },
            _ when type.IsEnum => new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. Enum.GetNames(type).Select(n => JsonValue.Create(n.ToLowerInvariant()))]) },
            _ => null,
        };
    }

    private static string Describe(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying switch
        {
            _ when underlying == typeof(string) => "string",
            _ when underlying == typeof(bool) => "boolean",
            _ when underlying == typeof(int) || underlying == typeof(long) => "integer",
            _ when underlying == typeof(double) => "number",
            _ when underlying == typeof(TimeSpan) => "duration",
            _ when underlying == typeof(OpsAgent.Backups.Retention.RetentionDuration) => "restic duration (`y`, `m` = months, `d`, `h`)",
            _ when underlying == typeof(OpsAgent.Core.Text.ByteSize) => "size (bytes, or `1.5GiB`, `500MB`)",
            _ when underlying == typeof(SecretReference) => "secret",
            _ when underlying.IsClass && System.ComponentModel.TypeDescriptor.GetConverter(underlying).CanConvertFrom(typeof(string)) => "string or object",
            _ when underlying.IsEnum => string.Join(" \\| ", Enum.GetNames(underlying).Select(n => $"`{n.ToLowerInvariant()}`")),
            _ when underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>) => $"list of {Describe(underlying.GetGenericArguments()[0])}",
            _ when underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>) => $"map of {Describe(underlying.GetGenericArguments()[1])}",
            _ => "object",
        };
    }

    private static JsonNode? Default(object? value) => value switch
    {
        null => null,
        TimeSpan span => FormatDuration(span),
        Enum e => e.ToString().ToLowerInvariant(),
        string s => s,
        bool or int or long or double => JsonValue.Create(value),
        IEnumerable list when !list.Cast<object>().Any() => null,
        _ => null,
    };

    private static string FormatDuration(TimeSpan span)
    {
        if (span == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        void Part(int amount, string unit)
        {
            if (amount > 0)
            {
                text.Append(amount.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }

        Part(span.Days, "d");
        Part(span.Hours, "h");
        Part(span.Minutes, "m");
        Part(span.Seconds, "s");
        Part(span.Milliseconds, "ms");
        return text.ToString();
    }

    internal static IEnumerable<PropertyInfo> Settable(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0).OrderBy(p => p.MetadataToken);

    private static string? Doc(string member) => Docs.Value.GetValueOrDefault(member);

    private static Dictionary<string, string> LoadDocs()
    {
        var docs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "OpsAgent*.xml"))
        {
            foreach (var member in XDocument.Load(file).Descendants("member"))
            {
                if (member.Attribute("name")?.Value is { } name && member.Element("summary") is { } summary)
                {
                    docs[name] = Flatten(summary);
                }
            }
        }

        return docs;
    }

    private static string Flatten(XElement summary)
    {
        var text = new StringBuilder();
        foreach (var node in summary.Nodes())
        {
            text.Append(node switch
            {
                XText t => t.Value,
                XElement { Name.LocalName: "c" } c => $"`{c.Value}`",
                XElement { Name.LocalName: "see" } see => $"`{(see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? "").Split('.', ':').Last()}`",
                XElement e => e.Value,
                _ => "",
            });
        }

        return Whitespace().Replace(text.ToString(), " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
