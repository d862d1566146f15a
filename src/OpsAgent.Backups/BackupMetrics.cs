using System.Diagnostics.Metrics;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;

namespace OpsAgent.Backups;

/// <summary>The backup series, read from <see cref="BackupStateStore"/> for the jobs currently configured.</summary>
internal sealed class BackupMetrics
{
    /// <summary>Registers the instruments on the agent's meter.</summary>
    public BackupMetrics(AgentMetrics metrics, BackupStateStore store, AgentConfigurationManager configuration, Copies.CopyStateStore copies)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        IEnumerable<(string Job, BackupJobState State)> Jobs()
        {
            var current = configuration.Current.Get<BackupsOptions>();
            foreach (var (job, options) in current.Jobs)
            {
                yield return (job, store.Get(job, options.Directory));
            }
        }

        static KeyValuePair<string, object?> Job(string job) => new("job", job);
        var meter = metrics.Meter;
        meter.CreateObservableGauge("opsagent_backup_last_success_timestamp_seconds", () => Jobs()
            .Where(j => j.State.LastSuccess is not null)
            .Select(j => new Measurement<double>(j.State.LastSuccess!.Value.ToUnixTimeMilliseconds() / 1000.0, Job(j.Job))),
            description: "Unix time of the newest verified backup of the job.");
        meter.CreateObservableGauge("opsagent_backup_last_run_timestamp_seconds", () => Jobs()
            .Where(j => j.State.LastRun is not null)
            .Select(j => new Measurement<double>(j.State.LastRun!.Value.ToUnixTimeMilliseconds() / 1000.0, Job(j.Job))),
            description: "Unix time the last run finished, whatever its result.");
        meter.CreateObservableGauge("opsagent_backup_last_duration_seconds", () => Jobs()
            .Where(j => j.State.LastDurationSeconds is not null)
            .Select(j => new Measurement<double>(j.State.LastDurationSeconds!.Value, Job(j.Job))),
            description: "Duration of the last successful run (dump and verification).");
        meter.CreateObservableGauge("opsagent_backup_last_size_bytes", () => Jobs()
            .Where(j => j.State.LastSizeBytes is not null)
            .Select(j => new Measurement<long>(j.State.LastSizeBytes!.Value, Job(j.Job))),
            description: "Size of the newest backup file.");
        meter.CreateObservableCounter("opsagent_backup_runs", () => Jobs().SelectMany(j => new[]
        {
            new Measurement<long>(j.State.Successes, Job(j.Job), new("result", "success")),
            new Measurement<long>(j.State.Failures, Job(j.Job), new("result", "failure")),
            new Measurement<long>(j.State.Refusals, Job(j.Job), new("result", "refused")),
        }), description: "Backup runs by result (success|failure|refused: another run of the job held its lock).");
        meter.CreateObservableGauge("opsagent_backup_files", () => Jobs().Select(j => new Measurement<long>(j.State.Files, Job(j.Job))),
            description: "Verified backups of the job on disk.");
        // The copies' series: the last listing and success come from the state files (they outlive a restart), the counts from this process.
        IEnumerable<(KeyValuePair<string, object?> Job, KeyValuePair<string, object?> Target, Copies.CopyTargetState State, Copies.CopyCounters Counters)> CopySeries()
        {
            var current = configuration.Current;
            foreach (var (job, options) in current.Get<BackupsOptions>().Jobs)
            {
                foreach (var copy in options.Copies.Keys)
                {
                    yield return (Job(job), new("target", copy), Copies.CopyStateStore.Read(current.Agent.StateDirectory, job, copy), copies.Counters(job, copy));
                }
            }
        }

        meter.CreateObservableGauge("opsagent_backup_copy_last_success_timestamp_seconds", () => CopySeries()
            .Where(c => c.State.LastSuccess is not null)
            .Select(c => new Measurement<double>(c.State.LastSuccess!.Value.ToUnixTimeMilliseconds() / 1000.0, c.Job, c.Target)),
            description: "Unix time a copy pass last left the target holding every backup its retention keeps.");
        meter.CreateObservableCounter("opsagent_backup_copy_runs", () => CopySeries().SelectMany(c => c.Counters.Runs
            .Select(r => new Measurement<long>(r.Value, c.Job, c.Target, new("result", r.Key)))),
            description: "Copy passes by result (success, or the failure reason: unreachable, auth_failed, ...).");
        meter.CreateObservableGauge("opsagent_backup_copy_files", () => CopySeries()
            .Where(c => c.State.ListedAt is not null)
            .Select(c => new Measurement<long>(c.State.Remote.Count, c.Job, c.Target)),
            description: "Complete backups of the job on the target at its last listing.");
        meter.CreateObservableGauge("opsagent_backup_copy_pending", () => CopySeries()
            .Where(c => c.Counters.Pending >= 0)
            .Select(c => new Measurement<long>(c.Counters.Pending, c.Job, c.Target)),
            description: "Local backups the copy's retention keeps but the target lacks (held locally for at most KeepUncopiedDays).");
        meter.CreateObservableCounter("opsagent_backup_copy_bytes", () => CopySeries()
            .Select(c => new Measurement<long>(c.Counters.Bytes, c.Job, c.Target)),
            description: "Bytes uploaded to the target.");
        // The drills' series come from their state files: a quarterly drill's result must outlive restarts in between.
        IEnumerable<(KeyValuePair<string, object?> Job, Drills.DrillState State)> DrillSeries()
        {
            var current = configuration.Current;
            foreach (var (job, options) in current.Get<BackupsOptions>().Jobs)
            {
                if (options.Drill is not null)
                {
                    yield return (Job(job), Drills.DrillStateStore.Read(current.Agent.StateDirectory, job));
                }
            }
        }

        meter.CreateObservableGauge("opsagent_backup_drill_last_success_timestamp_seconds", () => DrillSeries()
            .Where(d => d.State.LastSuccess is not null)
            .Select(d => new Measurement<double>(d.State.LastSuccess!.Value.ToUnixTimeMilliseconds() / 1000.0, d.Job)),
            description: "Unix time a restore drill of the job last restored its backup and passed every check.");
        meter.CreateObservableCounter("opsagent_backup_drill_runs", () => DrillSeries().SelectMany(d => d.State.Runs
            .Select(r => new Measurement<long>(r.Value, d.Job, new("result", r.Key)))),
            description: "Restore drills by result (success, or the reason: restore_failed, check_failed:<n>, no_backup, timeout, no_space).");
        meter.CreateObservableGauge("opsagent_backup_drill_duration_seconds", () => DrillSeries()
            .Where(d => d.State.LastDurationSeconds is not null)
            .Select(d => new Measurement<double>(d.State.LastDurationSeconds!.Value, d.Job)),
            description: "Duration of the last drill (download, restore, checks).");
        meter.CreateObservableGauge("opsagent_backup_drill_restored_bytes", () => DrillSeries()
            .Where(d => d.State.LastRestoredBytes is not null)
            .Select(d => new Measurement<long>(d.State.LastRestoredBytes!.Value, d.Job)),
            description: "Uncompressed bytes the last drill restored.");
        meter.CreateObservableCounter("opsagent_backup_deleted", () => Jobs().Select(j => new Measurement<long>(j.State.Deleted, Job(j.Job))),
            description: "Backups deleted by retention.");
    }
}
