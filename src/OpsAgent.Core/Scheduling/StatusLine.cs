using System.Globalization;

namespace OpsAgent.Core.Scheduling;

/// <summary>Builds the one-line <c>STATUS=</c> summary shown by <c>systemctl status</c>.</summary>
/// <param name="store">Job states.</param>
/// <param name="scheduler">Next fire times.</param>
/// <param name="configuration">Whether the last reload was rejected.</param>
public sealed class StatusLine(JobStatusStore store, AgentScheduler scheduler, Configuration.AgentConfigurationManager configuration)
{
    /// <summary>For example <c>3 probes healthy, 2 jobs (1 failing), next backup sims-db 02:00</c>.</summary>
    public async Task<string> BuildAsync(CancellationToken cancellationToken)
    {
        var jobs = store.All;
        // Probes run every few seconds; they read better as a health count than as jobs.
        var probes = jobs.Where(j => j.Definition.Kind == "probe").ToList();
        var others = jobs.Where(j => j.Definition.Kind != "probe").ToList();
        var parts = new List<string>();
        if (probes.Count > 0)
        {
            var failing = probes.Where(p => p.LastResult == "failure").Select(p => p.Definition.Name).Order(StringComparer.Ordinal).ToList();
            parts.Add(failing.Count == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{probes.Count} probes healthy")
                : string.Create(CultureInfo.InvariantCulture, $"{probes.Count - failing.Count} of {probes.Count} probes healthy (failing: {string.Join(", ", failing)})"));
        }

        if (others.Count > 0 || probes.Count == 0)
        {
            var failing = others.Count(j => j.LastResult == "failure");
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{others.Count} jobs") + (failing > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({failing} failing)") : ""));
        }

        // Until a good configuration loads, the operator who ran systemctl reload sees that the old one still runs.
        var rejected = configuration.LastErrors;
        if (rejected.Count > 0)
        {
            parts.Insert(0, string.Create(CultureInfo.InvariantCulture, $"configuration rejected ({rejected.Count} errors), running generation {configuration.Current.Generation}"));
        }

        var text = string.Join(", ", parts);
        var times = new List<(JobStatus Job, DateTimeOffset? Next)>();
        foreach (var job in jobs)
        {
            times.Add((job, (await scheduler.FireTimesAsync(job.Definition.JobKey, cancellationToken).ConfigureAwait(false)).Next));
        }

        var next = times
            .Where(x => x.Next is not null && x.Job.Definition.Schedule.QuartzCron is not null)
            .OrderBy(x => x.Next).FirstOrDefault();
        if (next.Job is not null)
        {
            var local = TimeZoneInfo.ConvertTime(next.Next!.Value, scheduler.TimeZone);
            text += string.Create(CultureInfo.InvariantCulture, $", next {next.Job.Definition.Kind} {next.Job.Definition.Name} {local:yyyy-MM-dd HH:mm zzz}");
        }

        return text;
    }
}
