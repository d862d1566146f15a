using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsAgent.Backups.Copies;

/// <summary>Source-generated JSON for the copy state files and <c>backup list --target --json</c>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CopyTargetState))]
[JsonSerializable(typeof(List<RemoteListEntry>))]
internal sealed partial class CopyJsonContext : JsonSerializerContext;
