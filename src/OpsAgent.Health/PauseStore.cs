using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsAgent.Health;

/// <summary>Probes paused by <c>opsagent pause</c>: <c>StateDirectory/probe-pauses.json</c>, name (or <c>all</c>) → until when.</summary>
/// <remarks>
/// A file rather than a call to the daemon: the pause survives agent restarts, works while the daemon is down, and the
/// daemon sees it at the next probe run because it re-reads the file whenever its modification time changes.
/// </remarks>
public sealed class PauseStore(TimeProvider time)
{
    /// <summary>The key that pauses every probe.</summary>
    public const string All = "all";

    private readonly Lock _lock = new();
    private (string Path, DateTime Modified, Dictionary<string, DateTimeOffset> Pauses) _cache = ("", default, []);

    /// <summary>The file under <paramref name="stateDirectory"/>.</summary>
    public static string FilePath(string stateDirectory) => Path.Combine(stateDirectory, "probe-pauses.json");

    /// <summary>Until when <paramref name="probe"/> is paused (by name or by <c>all</c>), or null.</summary>
    public DateTimeOffset? PausedUntil(string stateDirectory, string probe)
    {
        var pauses = Read(stateDirectory);
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

    private void Update(string stateDirectory, Action<Dictionary<string, DateTimeOffset>> change)
    {
        var path = FilePath(stateDirectory);
        Directory.CreateDirectory(stateDirectory);
        var now = time.GetUtcNow();
        var pauses = Load(path).Where(p => p.Value > now).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        change(pauses);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(pauses, PauseJsonContext.Default.DictionaryStringDateTimeOffset));
        File.Move(temporary, path, overwrite: true);
    }

    private Dictionary<string, DateTimeOffset> Read(string stateDirectory)
    {
        var path = FilePath(stateDirectory);
        var modified = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
        lock (_lock)
        {
            if (_cache.Path == path && _cache.Modified == modified)
            {
                return _cache.Pauses;
            }

            var pauses = modified == default ? new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase) : Load(path);
            _cache = (path, modified, pauses);
            return pauses;
        }
    }

    /// <summary>Reads the file; a damaged file pauses nothing rather than stopping the probes.</summary>
    private static Dictionary<string, DateTimeOffset> Load(string path)
    {
        try
        {
            var loaded = File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), PauseJsonContext.Default.DictionaryStringDateTimeOffset) : null;
            return new Dictionary<string, DateTimeOffset>(loaded ?? [], StringComparer.OrdinalIgnoreCase);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        }
    }
}

/// <summary>Source-generated JSON for the pause file.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(Dictionary<string, DateTimeOffset>))]
internal sealed partial class PauseJsonContext : JsonSerializerContext;
