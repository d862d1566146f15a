using System.Globalization;
using System.Text.Json;

namespace OpsAgent.Notifications.Outbox;

/// <summary>
/// Deliveries waiting to be made, one directory per queue (a channel, or one job's or probe's pings) under
/// <c>StateDirectory/notifications/outbox</c>, one file per item, written whole (temporary file, flush, rename) so that
/// an agent restart or a <c>kill -9</c> loses none and never leaves half of one. Items of a queue go in the order queued.
/// </summary>
internal sealed class NotificationOutbox(TimeProvider time)
{
    /// <summary>A queue never holds more than this; the oldest go first (a channel down for weeks must not fill the disk).</summary>
    public const int MaxItemsPerQueue = 1000;

    private readonly Lock _lock = new();
    private long _sequence;

    /// <summary>The outbox's root in <paramref name="stateDirectory"/>.</summary>
    public static string Root(string stateDirectory) => Path.Combine(stateDirectory, "notifications", "outbox");

    /// <summary>Adds <paramref name="item"/> at the end of <paramref name="queue"/>; returns false (nothing written) when the state directory cannot take it.</summary>
    public bool Enqueue(string stateDirectory, string queue, OutboxItem item, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(item);
        problem = null;
        var directory = Path.Combine(Root(stateDirectory), queue);
        try
        {
            Directory.CreateDirectory(directory);
            string name;
            lock (_lock)
            {
                // Time first so the order survives a restart; the sequence tells apart items of one tick.
                _sequence++;
                name = $"{time.GetUtcNow().UtcTicks:D19}-{_sequence % 1_000_000:D6}-{item.Id}.json";
            }

            Write(Path.Combine(directory, name), item);
            Trim(directory);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = ex.Message;
            return false;
        }
    }

    /// <summary>The queues that hold anything.</summary>
    public static IReadOnlyList<string> Queues(string stateDirectory)
    {
        var root = Root(stateDirectory);
        try
        {
            return Directory.Exists(root) ? [.. Directory.EnumerateDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)] : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>How many items wait in each queue.</summary>
    public static IReadOnlyDictionary<string, int> Lengths(string stateDirectory)
        => Queues(stateDirectory).ToDictionary(q => q, q => Files(Path.Combine(Root(stateDirectory), q)).Count, StringComparer.Ordinal);

    /// <summary>The first item of <paramref name="queue"/> and its file, or null when empty; an unreadable file is set aside as <c>.bad</c>.</summary>
    public static (string File, OutboxItem Item)? Peek(string stateDirectory, string queue)
    {
        foreach (var file in Files(Path.Combine(Root(stateDirectory), queue)))
        {
            try
            {
                var item = JsonSerializer.Deserialize(File.ReadAllBytes(file), OutboxJsonContext.Default.OutboxItem);
                if (item is not null)
                {
                    return (file, item);
                }
            }
            catch (JsonException)
            {
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }

            try
            {
                File.Move(file, file + ".bad", overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Writes back an item that stays (its attempts and next attempt), in the same place in its queue.</summary>
    public static void Update(string file, OutboxItem item) => Write(file, item);

    /// <summary>Removes a delivered (or dropped) item; false when it could not (a read-only or unwritable directory).</summary>
    public static bool Remove(string file)
    {
        try
        {
            File.Delete(file);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static List<string> Files(string directory)
    {
        try
        {
            return Directory.Exists(directory)
                ? [.. Directory.EnumerateFiles(directory, "*.json").Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)]
                : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static void Trim(string directory)
    {
        var files = Files(directory);
        foreach (var file in files.Take(Math.Max(0, files.Count - MaxItemsPerQueue)))
        {
            Remove(file);
        }
    }

    private static void Write(string file, OutboxItem item)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(file)!, $".{Path.GetFileName(file)}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, item, OutboxJsonContext.Default.OutboxItem);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, file, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full disk leaves a partial temporary file; the queue's listing skips dot-files, so nothing else would remove it.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }

            throw;
        }
    }
}
