using OpsAgent.Core.Configuration;
using Quartz;

namespace OpsAgent.Core.Scheduling;

/// <summary>What a job run sees: its name, the configuration snapshot it started with, and its fire times.</summary>
/// <param name="Key">The job's key (kind and name).</param>
/// <param name="Configuration">The configuration in force when the run started.</param>
/// <param name="ScheduledFireTime">When the trigger was due.</param>
/// <param name="FireTime">When it actually fired.</param>
public sealed record JobRunContext(JobKey Key, AgentConfiguration Configuration, DateTimeOffset? ScheduledFireTime, DateTimeOffset FireTime)
{
    /// <summary>The configured name.</summary>
    public string Name => Key.Name;
}
