namespace OpsAgent.Notifications.Channels;

/// <summary>A message to people: a subject line, a plain-text body, and how bad it is.</summary>
/// <param name="Subject">One line: <c>[opsagent web1] CRITICAL backup sims-db failed (tool_failed)</c>.</param>
/// <param name="Body">The text: what happened, where, the reason and the journal entries to look up.</param>
/// <param name="Severity"><c>critical</c>, <c>warning</c>, <c>resolved</c>, <c>info</c> or <c>test</c>.</param>
/// <param name="Host">The host the agent runs on.</param>
public sealed record NotificationMessage(string Subject, string Body, string Severity, string Host);
