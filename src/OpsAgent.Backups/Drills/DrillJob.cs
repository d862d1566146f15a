using OpsAgent.Backups.Copies;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Backups.Drills;

/// <summary>The scheduled restore drill of one backup job.</summary>
internal sealed class DrillJob(AgentJobServices services, DrillRunner runner) : AgentJob(services)
{
    /// <summary>The Quartz group of drills.</summary>
    public const string Kind = "drill";

    protected override async Task<JobOutcome> RunAsync(JobRunContext run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = run.Configuration.Get<BackupsOptions>();
        if (!options.Jobs.TryGetValue(run.Name, out var job) || job.Drill is null)
        {
            return JobOutcome.Fail(JobReasons.Removed, "the drill is no longer configured");
        }

        var result = await runner.RunAsync(For(run.Name, job, options, run.Configuration), null, cancellationToken).ConfigureAwait(false);
        return result.Success ? JobOutcome.Ok(result.Message) : JobOutcome.Fail(result.Reason ?? "failed", result.Message);
    }

    /// <summary>The drill of <paramref name="job"/> as the daemon and <c>opsagent backup drill</c> run it.</summary>
    public static DrillRequest For(string name, BackupJobOptions job, BackupsOptions backups, AgentConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(backups);
        ArgumentNullException.ThrowIfNull(configuration);
        return new DrillRequest(name, job, backups.MaxConcurrentBackups, configuration.Agent.StateDirectory, job.Copies.Count > 0 ? CopyRequest.For(name, job, configuration) : null);
    }
}

/// <summary>Schedules one <see cref="DrillJob"/> per backup job that has a <c>Drill</c>.</summary>
internal sealed class DrillJobSource : IJobSource
{
    public IEnumerable<AgentJobDefinition> GetJobs(AgentConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var (name, o) in configuration.Get<BackupsOptions>().Jobs)
        {
            if (o.Drill is { } drill)
            {
                yield return new AgentJobDefinition(DrillJob.Kind, name, ScheduleSpec.ParseCron(drill.Schedule!), typeof(DrillJob), MisfirePolicy.FireOnce)
                {
                    Description = $"restore drill of {name} from {drill.From ?? "the newest local backup"}",
                };
            }
        }
    }
}
