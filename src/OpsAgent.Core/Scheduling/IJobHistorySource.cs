using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.Scheduling;

/// <summary>What a capability knows of a job's past from outside the agent's memory (its files on disk).</summary>
/// <remarks>
/// The scheduler keeps no history across restarts; without this, <c>opsagent status</c> would say <c>never</c> for a job
/// whose verified backups are on disk while the metrics, seeded from the same files, say otherwise.
/// </remarks>
public interface IJobHistorySource
{
    /// <summary>The last success of <paramref name="job"/> before the agent started, or null when unknown.</summary>
    JobHistory? LastSuccess(AgentJobDefinition job, AgentConfiguration configuration);
}
