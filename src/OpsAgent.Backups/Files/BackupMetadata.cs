using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsAgent.Backups.Files;

/// <summary>The <c>&lt;file&gt;.json</c> sidecar: what was dumped, with which tool, and how it was checked.</summary>
internal sealed record BackupMetadata
{
    /// <summary>The job.</summary>
    public required string Job { get; init; }

    /// <summary><c>postgres</c> or <c>mongodb</c>.</summary>
    public required string Engine { get; init; }

    /// <summary>The database, when known.</summary>
    public string? Database { get; init; }

    /// <summary>The server host (never the credentials).</summary>
    public string? Host { get; init; }

    /// <summary>The container the tool ran in, if any.</summary>
    public string? Container { get; init; }

    /// <summary>The tool's path.</summary>
    public required string Tool { get; init; }

    /// <summary>The tool's own version line.</summary>
    public string? ToolVersion { get; init; }

    /// <summary>The server's version, when known.</summary>
    public string? ServerVersion { get; init; }

    /// <summary><c>custom</c>, <c>plain</c> or <c>archive</c>.</summary>
    public required string Format { get; init; }

    /// <summary><c>zstd</c>, <c>gzip</c> or <c>none</c>.</summary>
    public required string Compression { get; init; }

    /// <summary>When the dump started.</summary>
    public DateTimeOffset Started { get; init; }

    /// <summary>When the file was complete and verified.</summary>
    public DateTimeOffset Finished { get; init; }

    /// <summary>Seconds from start to finish.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>The file's size.</summary>
    public long SizeBytes { get; init; }

    /// <summary>The dump's size before compression.</summary>
    public long UncompressedBytes { get; init; }

    /// <summary>SHA-256 of the file, hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>True when verification passed.</summary>
    public bool Verified { get; init; }

    /// <summary>What verification did.</summary>
    public string? VerifiedBy { get; init; }

    /// <summary>The globals file (roles), when dumped.</summary>
    public string? GlobalsFile { get; init; }

    /// <summary>The agent's version.</summary>
    public string? AgentVersion { get; init; }

    /// <summary>What only the job's engine records (PostgreSQL's <c>clean</c>, <c>schema</c>, <c>globalsWithoutRolePasswords</c>; an in-process producer's counts), as members of the same object.</summary>
    /// <remarks>A dictionary, not a <c>JsonObject</c>: the source generator writes a <c>JsonObject</c> extension as a nested object without a name (invalid JSON; seen in a test).</remarks>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Facts { get; set; }

    /// <summary>The engine's facts (from its plan, then from its producer) as extension members of the <c>.json</c>.</summary>
    public static Dictionary<string, JsonElement>? FactsOf(params System.Text.Json.Nodes.JsonObject?[] facts)
    {
        var merged = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var some in facts)
        {
            if (some is null)
            {
                continue;
            }

            using var document = JsonDocument.Parse(some.ToJsonString());
            foreach (var member in document.RootElement.EnumerateObject())
            {
                merged[member.Name] = member.Value.Clone();
            }
        }

        return merged.Count == 0 ? null : merged;
    }

    /// <summary>True when the engine recorded <paramref name="name"/> as <c>true</c>.</summary>
    public bool Fact(string name) => IsTrue(Facts, name);

    /// <summary>True when <paramref name="facts"/> records <paramref name="name"/> as <c>true</c>.</summary>
    internal static bool IsTrue(IReadOnlyDictionary<string, JsonElement>? facts, string name)
        => facts is not null && facts.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>Reads a sidecar; null when missing or unreadable.</summary>
    public static BackupMetadata? TryRead(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), BackupJsonContext.Default.BackupMetadata);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>Source-generated JSON for sidecars and <c>backup list --json</c>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BackupMetadata))]
[JsonSerializable(typeof(List<BackupListEntry>))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;

/// <summary>One row of <c>backup list</c>.</summary>
/// <param name="Job">The job.</param>
/// <param name="File">The data file.</param>
/// <param name="Time">The backup's time (UTC).</param>
/// <param name="SizeBytes">The file size.</param>
/// <param name="Verified">Verified when written.</param>
/// <param name="KeptBy">The retention rules that keep it (empty: the next run deletes it).</param>
internal sealed record BackupListEntry(string Job, string File, DateTimeOffset Time, long SizeBytes, bool Verified, IReadOnlyList<string> KeptBy)
{
    /// <summary>The job's copies whose target held this backup at its last listing (null for a job without copies).</summary>
    public IReadOnlyList<string>? CopiedTo { get; init; }
}
