namespace OpsAgent.Core.Events;

/// <summary>
/// Something the agent did or saw, as its journal entry says it (<see cref="Name"/> is <c>OPSAGENT_EVENT</c>,
/// <see cref="EventId"/> is <c>OPSAGENT_EVENT_ID</c>), or a run's start and end as the job status store records it.
/// </summary>
/// <param name="Name">The event name (<c>probe_failing</c>, <c>backup_failed</c>; <see cref="AgentEventNames"/> for the run events).</param>
/// <param name="EventId">The stable event id from <c>EventIds</c>, 0 for the run events.</param>
/// <param name="Level">How bad it is.</param>
/// <param name="Message">The entry's message, secrets redacted.</param>
/// <param name="At">When it happened.</param>
/// <param name="Fields">The entry's other fields by property name (<c>Probe</c>, <c>Job</c>, <c>Reason</c>, <c>EntryId</c>), redacted.</param>
public sealed record AgentEvent(string Name, int EventId, AgentEventLevel Level, string Message, DateTimeOffset At, IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>A field's value, or null.</summary>
    public string? Field(string name) => Fields.GetValueOrDefault(name);
}
