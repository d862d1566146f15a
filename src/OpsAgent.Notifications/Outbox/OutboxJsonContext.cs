using System.Text.Json.Serialization;

namespace OpsAgent.Notifications.Outbox;

[JsonSourceGenerationOptions(WriteIndented = false, UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OutboxItem))]
[JsonSerializable(typeof(Dictionary<string, Alerting.OpenProblem>))]
[JsonSerializable(typeof(List<Alerting.AlertLine>))]
internal sealed partial class OutboxJsonContext : JsonSerializerContext;
