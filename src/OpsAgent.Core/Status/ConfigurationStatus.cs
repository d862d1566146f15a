namespace OpsAgent.Core.Status;

/// <summary>The configuration in force, and why the last reload was rejected if it was.</summary>
public sealed record ConfigurationStatus(long Generation, DateTimeOffset LoadedAt, IReadOnlyList<string> Files, IReadOnlyList<string> LastReloadErrors);
