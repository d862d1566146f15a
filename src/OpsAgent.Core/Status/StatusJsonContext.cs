using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsAgent.Core.Status;

/// <summary>Source-generated JSON for the status document (camelCase, ISO-8601 times), shared by the endpoint and the CLI.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusReport))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
