using System.Globalization;

namespace OpsAgent.Core.Scheduling;

/// <summary>Builds the one-line <c>STATUS=</c> summary shown by <c>systemctl status</c>.</summary>
/// <param name="store">Job states.</param>
/// <param name="scheduler">Next fire times.</param>
public sealed class StatusLine(JobStatusStore store, AgentScheduler scheduler)
{
    /// <summary>For example <c>3 jobs (1 failing), next backup sims-db 02:00</c>.</summary>
    public async Task<string> BuildAsync(CancellationToken cancellationToken)
    {
        var jobs = store.All;
        var failing = jobs.Count(j => j.LastResult == "failure");
        var text = string.Create(CultureInfo.InvariantCulture, $"{jobs.Count} jobs");
        if (failing > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" ({failing} failing)");
        }

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
            text += string.Create(CultureInfo.InvariantCulture, $", next {next.Job.Definition.Kind} {next.Job.Definition.Name} {local:yyyy-MM-dd HH:mm}");
        }

        return text;
    }
}
