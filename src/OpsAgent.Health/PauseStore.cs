using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Health;

/// <summary>Probes paused by <c>opsagent pause</c>: <c>StateDirectory/probe-pauses.json</c>, name (or <c>all</c>) → until when.</summary>
/// <remarks>
/// A file rather than a call to the daemon: the pause survives agent restarts, works while the daemon is down, and the
/// daemon sees it at the next probe run because it re-reads the file whenever its modification time changes.
/// A file that cannot be read pauses nothing (the probes must go on), but says so: see <see cref="Unreadable"/>.
/// </remarks>
internal sealed class PauseStore(TimeProvider time, ILogger<PauseStore> logger)
{
    /// <summary>The key that pauses every probe.</summary>
    public const string All = "all";

    /// <summary>The <c>PauseFile</c> field (<c>OPSAGENT_PAUSE_FILE</c>) of a restart decided while the file is unreadable.</summary>
    public const string UnreadableField = "unreadable";

    private const string IsDirectory = "is a directory, not a file";
    private const string IsEmpty = "is empty";
    private const string NotAnObject = "holds null, not an object of pauses";

    private readonly Lock _lock = new();
    private (string Path, bool Directory, DateTime Modified, Dictionary<string, DateTimeOffset> Pauses, string? Problem) _cache = ("", false, default, [], null);
    private string? _loggedProblem;

    /// <summary>The file under <paramref name="stateDirectory"/>.</summary>
    public static string FilePath(string stateDirectory) => Path.Combine(stateDirectory, "probe-pauses.json");

    /// <summary>Until when <paramref name="probe"/> is paused (by name or by <c>all</c>), or null.</summary>
    public DateTimeOffset? PausedUntil(string stateDirectory, string probe)
    {
        var pauses = Read(stateDirectory).Pauses;
        var now = time.GetUtcNow();
        DateTimeOffset? until = null;
        foreach (var key in new[] { probe, All })
        {
            if (pauses.TryGetValue(key, out var u) && u > now && (until is null || u > until))
            {
                until = u;
            }
        }

        return until;
    }

    /// <summary>Pauses <paramref name="probe"/> (or <c>all</c>) until <paramref name="until"/>.</summary>
    public void Pause(string stateDirectory, string probe, DateTimeOffset until)
        => Update(stateDirectory, pauses => pauses[probe] = until);

    /// <summary>Resumes <paramref name="probe"/>, or everything when null; returns what was removed.</summary>
    public IReadOnlyList<string> Resume(string stateDirectory, string? probe)
    {
        var removed = new List<string>();
        Update(stateDirectory, pauses =>
        {
            foreach (var key in pauses.Keys.Where(k => probe is null || string.Equals(k, probe, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                pauses.Remove(key);
                removed.Add(key);
            }
        });
        return removed;
    }

    /// <summary>Why the file exists but cannot be read (so a declared pause is not in force), or null.</summary>
    public string? Unreadable(string stateDirectory) => Read(stateDirectory).Problem;

    private void Update(string stateDirectory, Action<Dictionary<string, DateTimeOffset>> change)
    {
        var path = FilePath(stateDirectory);
        Directory.CreateDirectory(stateDirectory);
        var now = time.GetUtcNow();
        var pauses = Load(path).Pauses.Where(p => p.Value > now).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        change(pauses);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(pauses, PauseJsonContext.Default.DictionaryStringDateTimeOffset));
        File.Move(temporary, path, overwrite: true);
    }

    private (Dictionary<string, DateTimeOffset> Pauses, string? Problem) Read(string stateDirectory)
    {
        var path = FilePath(stateDirectory);
        var isDirectory = Directory.Exists(path);
        var modified = isDirectory ? Directory.GetLastWriteTimeUtc(path) : File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
        (Dictionary<string, DateTimeOffset> Pauses, string? Problem) read;
        var report = false;
        lock (_lock)
        {
            if (_cache.Path == path && _cache.Directory == isDirectory && _cache.Modified == modified)
            {
                return (_cache.Pauses, _cache.Problem);
            }

            read = isDirectory ? (Empty(), IsDirectory)
                : modified == default ? (Empty(), null)
                : Load(path);
            _cache = (path, isDirectory, modified, read.Pauses, read.Problem);

            // Once per distinct problem: the file is re-read at every change, and a rewrite with the same mistake says nothing new.
            report = read.Problem is not null && read.Problem != _loggedProblem;
            _loggedProblem = read.Problem;
        }

        if (report)
        {
            using (EventScope.Begin(logger, "pause_file_unreadable", ("PauseFile", UnreadableField)))
            {
                ProbeLog.PauseFileUnreadable(logger, path, read.Problem!);
            }
        }

        return read;
    }

    private static Dictionary<string, DateTimeOffset> Empty() => new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the file; a damaged file pauses nothing rather than stopping the probes, and the problem is returned.</summary>
    private static (Dictionary<string, DateTimeOffset> Pauses, string? Problem) Load(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return (Empty(), Directory.Exists(path) ? IsDirectory : null);
            }

            var text = File.ReadAllText(path);
            if (string.IsNullOrWhiteSpace(text))
            {
                return (Empty(), IsEmpty);
            }

            var loaded = JsonSerializer.Deserialize(text, PauseJsonContext.Default.DictionaryStringDateTimeOffset);
            return loaded is null ? (Empty(), NotAnObject) : (new Dictionary<string, DateTimeOffset>(loaded, StringComparer.OrdinalIgnoreCase), null);
        }
        catch (JsonException ex)
        {
            return (Empty(), $"is not valid JSON: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (Empty(), $"cannot be read: {ex.Message}");
        }
    }
}

/// <summary>Source-generated JSON for the pause file.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(Dictionary<string, DateTimeOffset>))]
internal sealed partial class PauseJsonContext : JsonSerializerContext;
