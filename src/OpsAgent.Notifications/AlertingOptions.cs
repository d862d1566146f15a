namespace OpsAgent.Notifications;

/// <summary>The <c>OpsAgent:Alerting</c> section: what is told, through which channels, how often.</summary>
public sealed class AlertingOptions
{
    /// <summary>The section path.</summary>
    public const string SectionName = "OpsAgent:Alerting";

    /// <summary>Channels in order of preference: an alert goes to the first, and to the next when that one keeps failing.</summary>
    public List<string> Channels { get; set; } = [];

    /// <summary>A reminder is sent this often while a problem stays; zero sends none.</summary>
    public TimeSpan RepeatEvery { get; set; } = TimeSpan.FromDays(1);

    /// <summary><c>critical</c> (failures only) or <c>warning</c> (also disk, memory and certificate warnings).</summary>
    public string MinLevel { get; set; } = "critical";

    /// <summary>Changes within this time of the first are sent as one message (a reload that breaks 30 probes: one mail).</summary>
    public TimeSpan Collapse { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Failed deliveries to one channel before an alert is handed to the next in <see cref="Channels"/>.</summary>
    public int FailoverAfter { get; set; } = 3;

    /// <summary><c>HH:mm-HH:mm</c> in the agent's time zone during which warnings and reminders wait (critical news does not); null for none.</summary>
    public string? QuietHours { get; set; }

    /// <summary>Whether anything is to be told.</summary>
    public bool Enabled => Channels.Count > 0;
}
