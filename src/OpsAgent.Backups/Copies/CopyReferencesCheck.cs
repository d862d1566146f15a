using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups.Copies;

/// <summary>Each job's copies name a target of <c>OpsAgent:Targets</c>, and no two copies of one job share a target folder.</summary>
internal sealed class CopyReferencesCheck : IConfigurationCheck
{
    public void Check(ConfigurationSections sections, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(errors);
        var backups = sections.Find<BackupsOptions>();
        var targets = sections.Find<CopyTargetsOptions>()?.Targets ?? new Dictionary<string, CopyTargetOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var (job, o) in backups?.Jobs ?? [])
        {
            var seen = new Dictionary<(string Target, string Folder), string>();
            foreach (var (copy, c) in o.Copies)
            {
                if (c is null)
                {
                    continue;
                }

                var target = CopyValidation.TargetOf(copy, c);
                var at = $"{BackupsOptions.SectionName}:{job}:{nameof(BackupJobOptions.Copies)}:{copy}";
                if (!targets.ContainsKey(target))
                {
                    var known = targets.Count == 0 ? "OpsAgent:Targets defines none" : $"defined: {string.Join(", ", targets.Keys.Order(StringComparer.Ordinal))}";
                    errors.Add(string.IsNullOrWhiteSpace(c.Target) ? at : $"{at}:{nameof(CopyOptions.Target)}", $"names the target '{StrictBinder.Truncate(target)}', which OpsAgent:Targets does not define ({known})");
                    continue;
                }

                var key = (target.ToLowerInvariant(), c.Folder ?? string.Empty);
                if (seen.TryGetValue(key, out var other))
                {
                    errors.Add(at, $"goes to the same place as the copy '{other}' (target '{target}', folder '{c.Folder}'): their retentions would delete each other's files; give one a Folder of its own");
                }
                else
                {
                    seen[key] = copy;
                }
            }
        }
    }
}
