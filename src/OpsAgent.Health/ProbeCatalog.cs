using OpsAgent.Core.Configuration;
using OpsAgent.Core.Maintenance;

namespace OpsAgent.Health;

internal sealed class ProbeCatalog : IProbeCatalog
{
    public IReadOnlyCollection<string>? ProbeNames(ConfigurationSections sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        return sections.Find<ProbesOptions>()?.Probes.Keys;
    }

    public IReadOnlyList<(string Path, string Job)> BackupReferences(ConfigurationSections sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var found = new List<(string, string)>();
        foreach (var (name, probe) in sections.Find<ProbesOptions>()?.Probes ?? [])
        {
            for (var i = 0; i < probe.PauseDuringBackups.Count; i++)
            {
                found.Add(($"{ProbesOptions.SectionName}:{name}:{nameof(ProbeOptions.PauseDuringBackups)}:{i}", probe.PauseDuringBackups[i]));
            }
        }

        return found;
    }
}
