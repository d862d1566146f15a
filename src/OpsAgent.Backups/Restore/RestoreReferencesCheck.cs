using OpsAgent.Core.Configuration;
using OpsAgent.Core.Maintenance;

namespace OpsAgent.Backups.Restore;

/// <summary>Each job's <c>Restore:VerifyProbes</c> and <c>RequireHealthy</c> name probes of <c>OpsAgent:Probes</c>.</summary>
internal sealed class RestoreReferencesCheck(IEnumerable<IProbeCatalog> catalogs) : IConfigurationCheck
{
    public void Check(ConfigurationSections sections, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(errors);
        var probes = catalogs.Select(v => v.ProbeNames(sections)).FirstOrDefault(n => n is not null);
        if (probes is null)
        {
            return;
        }

        foreach (var (job, o) in sections.Find<BackupsOptions>()?.Jobs ?? [])
        {
            var path = $"{BackupsOptions.SectionName}:{job}";
            Names($"{path}:{nameof(BackupJobOptions.Restore)}:{nameof(RestoreOptions.VerifyProbes)}", o.Restore?.VerifyProbes ?? [], probes, errors);
            Names($"{path}:{nameof(BackupJobOptions.RequireHealthy)}", o.RequireHealthy, probes, errors);
        }
    }

    private static void Names(string path, List<string> names, IReadOnlyCollection<string> probes, ValidationCollector errors)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(names[i]) && !probes.Contains(names[i], StringComparer.OrdinalIgnoreCase))
            {
                var known = probes.Count == 0 ? "OpsAgent:Probes defines none" : $"defined: {string.Join(", ", probes.Order(StringComparer.Ordinal))}";
                errors.Add($"{path}:{i}", $"names the probe '{StrictBinder.Truncate(names[i])}', which OpsAgent:Probes does not define ({known})");
            }
        }
    }
}
