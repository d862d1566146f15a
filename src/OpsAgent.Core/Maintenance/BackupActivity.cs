using System.Collections.Concurrent;

namespace OpsAgent.Core.Maintenance;

/// <summary>The backups running in this process, each with the container it dumps from, so probes do not restart what is being read.</summary>
/// <remarks>
/// In-process only: every run of a job in the daemon (its schedule, a catch-up, <c>opsagent backup run</c> through the
/// control socket) goes through it. A run in a CLI process without a daemon has no probes to hold back.
/// </remarks>
public sealed class BackupActivity
{
    private readonly ConcurrentDictionary<string, string?> _running = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Marks <paramref name="job"/> running (reading <paramref name="container"/>, if any) until the result is disposed.</summary>
    public IDisposable Begin(string job, string? container)
    {
        _running[job] = container?.TrimStart('/');
        return new End(this, job);
    }

    /// <summary>A running job that dumps from <paramref name="container"/> or is one of <paramref name="jobs"/>; null when none is.</summary>
    public string? RunningFor(string? container, IReadOnlyCollection<string> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var name = container?.TrimStart('/');
        foreach (var (job, source) in _running.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if ((name is not null && string.Equals(source, name, StringComparison.Ordinal)) || jobs.Contains(job, StringComparer.OrdinalIgnoreCase))
            {
                return job;
            }
        }

        return null;
    }

    private sealed class End(BackupActivity activity, string job) : IDisposable
    {
        public void Dispose() => activity._running.TryRemove(job, out _);
    }
}
