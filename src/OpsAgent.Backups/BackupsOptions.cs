using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups;

/// <summary>The <c>OpsAgent:Backups</c> section: one entry per backup job, plus settings shared by all jobs.</summary>
public sealed class BackupsOptions
{
    /// <summary>The section path.</summary>
    public const string SectionName = "OpsAgent:Backups";

    /// <summary>Dumps running at once across all jobs (a second job waits for a slot).</summary>
    public int MaxConcurrentBackups { get; set; } = 1;

    /// <summary>The jobs, by name.</summary>
    [ConfigurationEntries]
    public Dictionary<string, BackupJobOptions> Jobs { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
