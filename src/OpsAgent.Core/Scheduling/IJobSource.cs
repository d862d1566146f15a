namespace OpsAgent.Core.Scheduling;

/// <summary>Turns a validated configuration into the jobs a capability wants scheduled.</summary>
public interface IJobSource
{
    /// <summary>Returns the jobs for <paramref name="configuration"/>.</summary>
    IEnumerable<AgentJobDefinition> GetJobs(Configuration.AgentConfiguration configuration);
}
