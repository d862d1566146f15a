using OpsAgent.Core.Configuration;
using OpsAgent.Core.Notifications;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Hosting;

/// <summary>What <c>/healthz</c> answers and the heartbeat reports: the scheduler runs and the state directory is usable.</summary>
internal sealed class AgentHealth(AgentScheduler scheduler, StateDirectoryCheck stateCheck, AgentConfigurationManager configuration) : IAgentHealth
{
    public string? Problem()
    {
        string?[] problems = [scheduler.IsRunning ? null : $"scheduler {scheduler.Condition}",
            stateCheck.Failing ? stateCheck.Check(configuration.Current.Agent.StateDirectory) : null];
        var text = string.Join('\n', problems.OfType<string>());
        return text.Length == 0 ? null : text;
    }
}
