namespace OpsAgent.Notifications.Alerting;

/// <summary>One change to tell, waiting to be collapsed with the others of its burst into one message.</summary>
/// <param name="Severity"><c>critical</c>, <c>warning</c>, <c>info</c>, <c>resolved</c> or <c>reminder</c>.</param>
/// <param name="Headline">One line: <c>CRITICAL probe sims-health is failing (container_unhealthy)</c>.</param>
/// <param name="Detail">What the journal entry said.</param>
/// <param name="EntryId">The journal entry's id, when there is one.</param>
/// <param name="At">When it happened.</param>
internal sealed record AlertLine(string Severity, string Headline, string Detail, string? EntryId, DateTimeOffset At)
{
    /// <summary>Warnings and reminders wait out quiet hours; the rest does not.</summary>
    public bool Urgent => Severity is not ("warning" or "reminder");
}
