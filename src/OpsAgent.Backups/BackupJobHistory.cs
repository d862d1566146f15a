using OpsAgent.Core.Configuration;
using OpsAgent.Core.Scheduling;

namespace OpsAgent.Backups;

/// <summary>Starts <c>/status</c> of a backup job from its newest verified file, as the metrics are, so a restart does not show <c>never</c>.</summary>
internal sealed class BackupJobHistory(BackupStateStore store) : IJobHistorySource
{
    public JobHistory? LastSuccess(AgentJobDefinition job, AgentConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(configuration);
        if (job.Kind != BackupJob.Kind || !configuration.Get<BackupsOptions>().Jobs.TryGetValue(job.Name, out var options))
        {
            return null;
        }

        var state = store.Get(job.Name, options.Directory);
        return state.LastSuccess is { } last && state.NewestOnDisk is { } file
            ? new JobHistory(last, $"newest verified backup on disk: {file} (before the agent started)")
            : null;
    }
}
