using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Copies;

/// <summary>The <c>OpsAgent:Targets</c> section: where backups are copied, by name.</summary>
public sealed class CopyTargetsOptions
{
    /// <summary>The section path.</summary>
    public const string SectionName = "OpsAgent:Targets";

    /// <summary>The targets, by name.</summary>
    [ConfigurationEntries]
    public Dictionary<string, CopyTargetOptions> Targets { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
