using OpsAgent.Core.Configuration;

namespace OpsAgent.Health;

/// <summary>The <c>OpsAgent:Probes</c> section: one entry per probe.</summary>
public sealed class ProbesOptions
{
    /// <summary>The section path.</summary>
    public const string SectionName = "OpsAgent:Probes";

    /// <summary>The probes, by name.</summary>
    [ConfigurationEntries]
    public Dictionary<string, ProbeOptions> Probes { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
