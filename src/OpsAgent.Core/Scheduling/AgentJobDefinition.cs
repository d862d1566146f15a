using Quartz;

namespace OpsAgent.Core.Scheduling;

/// <summary>A job the agent schedules, produced by an <see cref="IJobSource"/> from the current configuration.</summary>
/// <param name="Kind">The capability (<c>backup</c>, <c>probe</c>, <c>certificates</c>); the Quartz job group.</param>
/// <param name="Name">The configured name; the Quartz job name.</param>
/// <param name="Schedule">When it fires.</param>
/// <param name="JobType">The Quartz job class; it reads its own settings from the current configuration by name when it runs.</param>
/// <param name="Misfire">What to do about missed fires.</param>
/// <param name="Fingerprint">Changes whenever a setting that needs the Quartz job replaced changes; the schedule is compared separately.</param>
public sealed record AgentJobDefinition(string Kind, string Name, ScheduleSpec Schedule, Type JobType, MisfirePolicy Misfire = MisfirePolicy.Skip, string Fingerprint = "")
{
    /// <summary>The Quartz key.</summary>
    public JobKey JobKey => new(Name, Kind);

    /// <summary>A one-line description for <c>check-config</c>, without secrets.</summary>
    public string? Description { get; init; }
}
