namespace OpsAgent.Core.Notifications;

/// <summary>The agent's own health as <c>/healthz</c> reports it, for the heartbeat: null when good, else what is wrong.</summary>
public interface IAgentHealth
{
    /// <summary>What is wrong (the scheduler stopped, the state directory unwritable), or null.</summary>
    string? Problem();
}
