using OpsAgent.Core.Configuration;
using OpsAgent.Core.Maintenance;

namespace OpsAgent.Backups.Restore;

/// <summary>Each job's <c>Restore:VerifyProbes</c> and <c>RequireHealthy</c> name probes of <c>OpsAgent:Probes</c>, and each probe's <c>PauseDuringBackups</c> a backup job.</summary>
internal sealed class RestoreReferencesCheck(IEnumerable<IProbeCatalog> catalogs) : IConfigurationCheck
{
    public void Check(ConfigurationSections sections, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(errors);
        var jobs = sections.Find<BackupsOptions>()?.Jobs;
        foreach (var (path, job) in catalogs.SelectMany(c => c.BackupReferences(sections)))
        {
            if (jobs is not null && !string.IsNullOrWhiteSpace(job) && !jobs.ContainsKey(job))
            {
                var known = jobs.Count == 0 ? "OpsAgent:Backups defines none" : $"defined: {string.Join(", ", jobs.Keys.Order(StringComparer.Ordinal))}";
                errors.Add(path, $"names the backup job '{StrictBinder.Truncate(job)}', which OpsAgent:Backups does not define ({known})");
            }
        }

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
