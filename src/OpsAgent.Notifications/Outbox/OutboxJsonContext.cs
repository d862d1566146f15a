using System.Text.Json.Serialization;

namespace OpsAgent.Notifications.Outbox;

[JsonSourceGenerationOptions(WriteIndented = false, UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OutboxItem))]
[JsonSerializable(typeof(Dictionary<string, Alerting.OpenProblem>))]
internal sealed partial class OutboxJsonContext : JsonSerializerContext;
