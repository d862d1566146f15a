using OpsAgent.Core.Configuration;

namespace OpsAgent.Health;

/// <summary>One probe.</summary>
/// <remarks>The settings every probe has; its type's own settings bind into <see cref="Settings"/> (each type's folder under <c>Checks/</c>).</remarks>
public sealed class ProbeOptions
{
    /// <summary>What it checks.</summary>
    public string? Type { get; set; }

    /// <summary>The settings of <see cref="Type"/>, written beside these keys (<c>Url</c> for http, <c>Unit</c> for systemd...).</summary>
    [ConfigurationKind]
    public object? Settings { get; set; }

    /// <summary>How often the probe runs.</summary>
    public TimeSpan Every { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One attempt's time limit.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive failures before the probe is failing.</summary>
    public int FailureThreshold { get; set; } = 3;

    /// <summary>Consecutive successes before a failing probe is healthy again.</summary>
    public int SuccessThreshold { get; set; } = 1;

    /// <summary>Grace after the agent starts and after each restart: failures are counted but nothing is restarted.</summary>
    public TimeSpan StartPeriod { get; set; } = TimeSpan.Zero;

    /// <summary>Probes that must be healthy before this one's target is restarted.</summary>
    public List<string> DependsOn { get; set; } = [];

    /// <summary>Backup jobs during whose runs the target is never restarted (a job dumping from the restart target's container is so without being named).</summary>
    public List<string> PauseDuringBackups { get; set; } = [];

    /// <summary>A push monitor (Uptime Kuma, Healthchecks, Gatus) told the result of every run.</summary>
    public Core.Notifications.PingOptions? Ping { get; set; }

    /// <summary>A command run once the probe is failing critical (at most once per its <c>Window</c>), before any restart.</summary>
    public ProbeCommandOptions? OnCritical { get; set; }

    /// <summary>What to restart when the probe is failing (none: only report).</summary>
    public RestartOptions? Restart { get; set; }
}
