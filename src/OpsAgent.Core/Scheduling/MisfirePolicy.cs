namespace OpsAgent.Core.Scheduling;

/// <summary>What to do when the agent was not running (or too busy) at a fire time.</summary>
public enum MisfirePolicy
{
    /// <summary>Skip missed fires and wait for the next one (probes: a late probe is worthless).</summary>
    Skip,

    /// <summary>Fire once as soon as possible, then follow the schedule (backups: one missed night must still be dumped).</summary>
    FireOnce,
}
