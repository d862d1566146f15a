namespace OpsAgent.Health;

/// <summary>A command run when a probe is failing critical (<c>OnCritical</c>): a log cleanup for a full disk.</summary>
public sealed class ProbeCommandOptions
{
    /// <summary>The command, split like a shell line but not run by one; outside the agent's sandbox (a transient unit) on a systemd host.</summary>
    public string? Command { get; set; }

    /// <summary>How long it may run.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>At most one run in this window, however long the probe stays critical.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}
