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

    /// <summary>A store whose new entries start from what <paramref name="history"/> knows; runs are published to <paramref name="events"/>.</summary>
    public JobStatusStore(IEnumerable<IJobHistorySource> history, Events.AgentEventHub? events = null)
    {
        _history = [.. history];
        _events = events;
    }

    private readonly Events.AgentEventHub? _events;

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
            string runId;
            lock (status)
            {
                status.Running = true;
                status.LastStart = at;
                status.RunId = runId = Guid.NewGuid().ToString("D");
            }

            _events?.Publish(new Events.AgentEvent(Events.AgentEventNames.RunStarted, 0, Events.AgentEventLevel.Information, $"{key.Group} {key.Name} started", at,
                new Dictionary<string, string> { ["Kind"] = key.Group, ["Job"] = key.Name, ["RunId"] = runId }));
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

            var fields = new Dictionary<string, string>
            {
                ["Kind"] = key.Group, ["Job"] = key.Name, ["Result"] = outcome.Success ? "success" : "failure",
                ["RunId"] = status.RunId ?? "", ["Reason"] = outcome.Reason ?? "",
                ["DurationSeconds"] = status.LastStart is { } start ? (at - start).TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : "",
            };
            _events?.Publish(new Events.AgentEvent(Events.AgentEventNames.RunFinished, 0, outcome.Success ? Events.AgentEventLevel.Information : Events.AgentEventLevel.Error,
                outcome.Message ?? "", at, fields));
        }
    }
}
