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
}
