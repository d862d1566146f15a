using System.Collections.Concurrent;
using Quartz;

namespace OpsAgent.Core.Scheduling;

/// <summary>Holds the <see cref="JobStatus"/> of every configured job; entries disappear when a reload removes the job.</summary>
public sealed class JobStatusStore
{
    private readonly ConcurrentDictionary<JobKey, JobStatus> _jobs = new();
    private readonly IReadOnlyList<IJobHistorySource> _history;

    /// <summary>A store whose new entries start as <c>never</c>.</summary>
    public JobStatusStore()
        : this([])
    {
    }

    /// <summary>A store whose new entries start from what <paramref name="history"/> knows.</summary>
    public JobStatusStore(IEnumerable<IJobHistorySource> history) => _history = [.. history];

    /// <summary>All jobs, ordered by kind then name.</summary>
    public IReadOnlyList<JobStatus> All => [.. _jobs.Values.OrderBy(j => j.Definition.Kind, StringComparer.Ordinal).ThenBy(j => j.Definition.Name, StringComparer.Ordinal)];

    /// <summary>Jobs of one kind.</summary>
    public IEnumerable<JobStatus> OfKind(string kind) => _jobs.Values.Where(j => j.Definition.Kind == kind);

    /// <summary>The status of a job, if configured.</summary>
    public JobStatus? Get(JobKey key) => _jobs.GetValueOrDefault(key);

    /// <summary>Adds or updates the definition, keeping the run history; a new entry starts from what is known on disk.</summary>
    public void Upsert(AgentJobDefinition definition, Configuration.AgentConfiguration? configuration = null)
        => _jobs.AddOrUpdate(definition.JobKey, _ => Seed(new JobStatus(definition), configuration), (_, existing) =>
        {
            existing.Definition = definition;
            return existing;
        });

    private JobStatus Seed(JobStatus status, Configuration.AgentConfiguration? configuration)
    {
        if (configuration is not null && _history.Select(h => h.LastSuccess(status.Definition, configuration)).FirstOrDefault(h => h is not null) is { } known)
        {
            status.LastResult = "success";
            status.LastSuccess = known.LastSuccess;
            status.LastEnd = known.LastSuccess;
            status.Message = known.Message;
        }

        return status;
    }

    /// <summary>Removes a job that is no longer configured.</summary>
    public void Remove(JobKey key) => _jobs.TryRemove(key, out _);

    /// <summary>Records the start of a run.</summary>
    public void Started(JobKey key, DateTimeOffset at)
    {
        if (_jobs.TryGetValue(key, out var status))
        {
            lock (status)
            {
                status.Running = true;
                status.LastStart = at;
            }
        }
    }

    /// <summary>Records the end of a run.</summary>
    public void Finished(JobKey key, JobOutcome outcome, DateTimeOffset at)
    {
        if (_jobs.TryGetValue(key, out var status))
        {
            lock (status)
            {
                status.Running = false;
                status.LastEnd = at;
                status.LastResult = outcome.Success ? "success" : "failure";
                status.Reason = outcome.Reason;
                status.Message = outcome.Message;
                if (outcome.Success)
                {
                    status.LastSuccess = at;
                    status.Successes++;
                }
                else
                {
                    status.Failures++;
                }
            }
        }
    }
}
