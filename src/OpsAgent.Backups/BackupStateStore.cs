using System.Collections.Concurrent;
using OpsAgent.Backups.Files;

namespace OpsAgent.Backups;

/// <summary>Per-job backup state, seeded from the files on disk so <c>last_success</c> survives agent restarts.</summary>
public sealed class BackupStateStore(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, BackupJobState> _jobs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>A store that judges file dates against the system clock.</summary>
    public BackupStateStore()
        : this(TimeProvider.System)
    {
    }

    /// <summary>The state of <paramref name="job"/>, created (and seeded from <paramref name="directory"/>) on first use.</summary>
    public BackupJobState Get(string job, string? directory)
        => _jobs.GetOrAdd(job, name =>
        {
            var state = new BackupJobState();
            if (directory is not null)
            {
                Seed(state, BackupFileNames.Scan(directory, name, time.GetUtcNow()));
            }

            return state;
        });

    /// <summary>Known states.</summary>
    public IReadOnlyDictionary<string, BackupJobState> All => _jobs;

    /// <summary>Records a successful run and the files now on disk.</summary>
    public void Succeeded(string job, string directory, DateTimeOffset finished, double seconds, long size, int filesOnDisk, int deleted)
    {
        var state = Get(job, directory);
        lock (_lock)
        {
            state.LastRun = finished;
            state.LastSuccess = finished;
            state.LastDurationSeconds = seconds;
            state.LastSizeBytes = size;
            state.Successes++;
            state.Files = filesOnDisk;
            state.Deleted += deleted;
        }
    }

    /// <summary>Records a failed run.</summary>
    public void Failed(string job, string directory, DateTimeOffset finished)
    {
        var state = Get(job, directory);
        lock (_lock)
        {
            state.LastRun = finished;
            state.Failures++;
            state.Files = BackupFileNames.Scan(directory, job, time.GetUtcNow()).Count;
        }
    }

    /// <summary>Records a run refused because another held the job's lock: nothing else changes, the holder records its own result.</summary>
    public void Refused(string job, string directory)
    {
        var state = Get(job, directory);
        lock (_lock)
        {
            state.Refusals++;
        }
    }

    private static void Seed(BackupJobState state, IReadOnlyList<BackupFile> files)
    {
        state.Files = files.Count;
        if (files.Count > 0)
        {
            var newest = files[0];
            state.LastSuccess = newest.Metadata?.Finished ?? newest.Time;
            state.NewestOnDisk = newest.FileName;
            state.LastSizeBytes = newest.Size;
            state.LastDurationSeconds = newest.Metadata?.DurationSeconds;
        }
    }
}
