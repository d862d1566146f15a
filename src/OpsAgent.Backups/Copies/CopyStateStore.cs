using System.Collections.Concurrent;
using System.Text.Json;
using OpsAgent.Backups.Files;

namespace OpsAgent.Backups.Copies;

/// <summary>
/// The copy stage's durable state in <c>&lt;StateDirectory&gt;/copies/&lt;job&gt;/</c>: the queue (an empty file per backup
/// still to go to a copy, <c>queue/&lt;copy&gt;/&lt;file&gt;</c>, created when the backup is published and removed when the
/// target has it), the last listing of each target (<c>&lt;copy&gt;.json</c>), and the file being uploaded
/// (<c>uploading</c>, which local retention never deletes); plus this process's counters for the metrics.
/// </summary>
/// <remarks>
/// A queue entry is created with one <c>open(O_CREAT)</c> and removed with one unlink, so the dump (which enqueues under the
/// job's dump lock) and the copy pass (under the job's copy lock) never rewrite the same file. What a <c>kill -9</c>
/// interrupts is redone: the entries stay until a pass has seen the backup on the target.
/// </remarks>
internal sealed class CopyStateStore
{
    private readonly ConcurrentDictionary<(string Job, string Copy), CopyCounters> _counters = new();

    /// <summary>This process's counters of one copy (created on first use).</summary>
    public CopyCounters Counters(string job, string copy) => _counters.GetOrAdd((job, copy), _ => new CopyCounters());

    /// <summary>Every copy with counters in this process.</summary>
    public IEnumerable<((string Job, string Copy) Key, CopyCounters Counters)> AllCounters => _counters.Select(kv => (kv.Key, kv.Value));

    public static string Folder(string stateDirectory, string job) => Path.Combine(stateDirectory, "copies", job.ToLowerInvariant());

    private static string QueueFolder(string stateDirectory, string job, string copy) => Path.Combine(Folder(stateDirectory, job), "queue", copy.ToLowerInvariant());

    /// <summary>Adds <paramref name="fileName"/> to the copy's queue, durably.</summary>
    public static void Enqueue(string stateDirectory, string job, string copy, string fileName)
    {
        var folder = QueueFolder(stateDirectory, job, copy);
        DurableFiles.EnsureDirectory(folder);
        using (File.Open(Path.Combine(folder, fileName), FileMode.OpenOrCreate, FileAccess.Write))
        {
        }

        DurableFiles.SyncDirectory(folder);
    }

    /// <summary>The copy's queued file names, oldest name first.</summary>
    public static IReadOnlyList<string> Queued(string stateDirectory, string job, string copy)
    {
        var folder = QueueFolder(stateDirectory, job, copy);
        return Directory.Exists(folder) ? [.. new DirectoryInfo(folder).EnumerateFiles().Select(f => f.Name).Order(StringComparer.Ordinal)] : [];
    }

    /// <summary>Removes a queue entry (a target that has the file, or a file that no longer needs to go).</summary>
    public static void Dequeue(string stateDirectory, string job, string copy, string fileName)
        => DurableFiles.DeleteIfExists(Path.Combine(QueueFolder(stateDirectory, job, copy), fileName));

    /// <summary>The file a copy pass of the job is uploading or last was when it was killed; null when none.</summary>
    public static string? Uploading(string stateDirectory, string job)
    {
        var path = Path.Combine(Folder(stateDirectory, job), "uploading");
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() is { Length: > 0 } name ? name : null : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Records the file being uploaded (null: none), before its first byte is read.</summary>
    public static void SetUploading(string stateDirectory, string job, string? fileName)
    {
        var folder = Folder(stateDirectory, job);
        var path = Path.Combine(folder, "uploading");
        if (fileName is null)
        {
            DurableFiles.DeleteIfExists(path);
            return;
        }

        DurableFiles.EnsureDirectory(folder);
        File.WriteAllText(path, fileName);
    }

    /// <summary>The copy's last known state; empty when it was never listed (or the file is unreadable: the next pass rewrites it).</summary>
    public static CopyTargetState Read(string stateDirectory, string job, string copy)
    {
        var path = Path.Combine(Folder(stateDirectory, job), copy.ToLowerInvariant() + ".json");
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), CopyJsonContext.Default.CopyTargetState) ?? new() : new();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return new();
        }
    }

    /// <summary>Replaces the copy's state atomically (written beside, flushed, renamed).</summary>
    public static async Task WriteAsync(string stateDirectory, string job, string copy, CopyTargetState state, CancellationToken cancellationToken)
    {
        var folder = Folder(stateDirectory, job);
        DurableFiles.EnsureDirectory(folder);
        var path = Path.Combine(folder, copy.ToLowerInvariant() + ".json");
        var temporary = path + ".tmp";
        DurableFiles.DeleteIfExists(temporary);
        await DurableFiles.WriteAllAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(state, CopyJsonContext.Default.CopyTargetState), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
        DurableFiles.SyncDirectory(folder);
    }
}

/// <summary>One copy's counters in this process, and the last figures seen (for the metrics).</summary>
internal sealed class CopyCounters
{
    private long _bytes;
    private readonly ConcurrentDictionary<string, long> _runs = new(StringComparer.Ordinal);

    /// <summary>Bytes uploaded.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Passes by result (<c>success</c>, or a failure reason).</summary>
    public IReadOnlyDictionary<string, long> Runs => _runs;

    /// <summary>Complete backups on the target at the last listing.</summary>
    public long Files { get; set; } = -1;

    /// <summary>Local backups the target's retention keeps but the target lacks.</summary>
    public long Pending { get; set; } = -1;

    /// <summary>When a pass last ended with nothing missing.</summary>
    public DateTimeOffset? LastSuccess { get; set; }

    public void AddBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);

    public void Ran(string result) => _runs.AddOrUpdate(result, 1, (_, n) => n + 1);
}
