namespace OpsAgent.Core.Status;

/// <summary>One checked thing inside a job (a certificate, a probe): its state, why, when, and a few details.</summary>
/// <param name="Kind">The capability (<c>certificate</c>, <c>probe</c>).</param>
/// <param name="Name">The metric label of the item.</param>
/// <param name="State">Its state (<c>ok</c>, <c>warning</c>, <c>critical</c>, <c>failed</c>, <c>healthy</c>...).</param>
/// <param name="Reason">The machine reason of a non-ok state.</param>
/// <param name="Message">The human message (redacted).</param>
/// <param name="CheckedAt">When it was last checked.</param>
/// <param name="Details">Further facts (not-after, subject, latency...).</param>
public sealed record StatusItem(string Kind, string Name, string State, string? Reason, string? Message, DateTimeOffset? CheckedAt, IReadOnlyDictionary<string, string> Details);
