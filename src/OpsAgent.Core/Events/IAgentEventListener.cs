namespace OpsAgent.Core.Events;

/// <summary>Told about every <see cref="AgentEvent"/>; registered with <c>AddAgentEventListener</c>.</summary>
/// <remarks>
/// Called on the thread that logged or recorded the event, often inside a job: an implementation only takes note
/// (a queue, a field) and returns at once, never does I/O and never logs (a log call would come back as an event).
/// </remarks>
public interface IAgentEventListener
{
    /// <summary>Takes note of <paramref name="agentEvent"/>.</summary>
    void OnEvent(AgentEvent agentEvent);
}
