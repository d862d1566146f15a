using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsAgent.Core.Maintenance;

/// <summary>
/// The services the agent has stopped and not yet started again: <c>StateDirectory/stopped-services.json</c>.
/// </summary>
/// <remarks>
/// A file, so that after a <c>kill -9</c> of the agent the next start finds what it left down and starts it before
/// anything else, and so that the probes (in the same daemon or not) know a stop is the agent's own: a held target's
/// failures are not counted and it is never restarted. An entry is written before the stop and marked started after the
/// start; it holds the probes until <see cref="StoppedService.HeldUntil"/>, then it is dropped.
/// </remarks>
public sealed class StoppedServicesStore(TimeProvider time)
{
    private readonly Lock _lock = new();

    /// <summary>The file under <paramref name="stateDirectory"/>.</summary>
    public static string FilePath(string stateDirectory) => Path.Combine(stateDirectory, "stopped-services.json");

    /// <summary>Every entry still in force (down, or held after its start).</summary>
    public IReadOnlyList<StoppedService> Read(string stateDirectory)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return [.. Load(FilePath(stateDirectory)).Where(s => s.StartedAt is null || s.HeldUntil > now)];
        }
    }

    /// <summary>The entry that holds <paramref name="target"/>'s probes now, or null.</summary>
    public StoppedService? Holding(string stateDirectory, string target)
        => Read(stateDirectory).LastOrDefault(s => string.Equals(s.Target, target, StringComparison.OrdinalIgnoreCase));

    /// <summary>Records that <paramref name="service"/> is about to be stopped.</summary>
    public void Add(string stateDirectory, StoppedService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        Update(stateDirectory, list =>
        {
            list.RemoveAll(s => Same(s, service.Target, service.Job));
            list.Add(service);
        });
    }

    /// <summary>Records that <paramref name="target"/>, stopped by <paramref name="job"/>, runs again and holds its probes until <paramref name="heldUntil"/>.</summary>
    public void MarkStarted(string stateDirectory, string target, string job, DateTimeOffset heldUntil)
        => Update(stateDirectory, list =>
        {
            var i = list.FindIndex(s => Same(s, target, job));
            if (i >= 0)
            {
                list[i] = list[i] with { StartedAt = time.GetUtcNow(), HeldUntil = heldUntil };
            }
        });

    /// <summary>Drops the entry of <paramref name="target"/> stopped by <paramref name="job"/> (it was not running, so nothing was stopped).</summary>
    public void Remove(string stateDirectory, string target, string job)
        => Update(stateDirectory, list => list.RemoveAll(s => Same(s, target, job)));

    private static bool Same(StoppedService s, string target, string job)
        => string.Equals(s.Target, target, StringComparison.OrdinalIgnoreCase) && string.Equals(s.Job, job, StringComparison.Ordinal);

    private void Update(string stateDirectory, Action<List<StoppedService>> change)
    {
        var path = FilePath(stateDirectory);
        lock (_lock)
        {
            Directory.CreateDirectory(stateDirectory);
            var now = time.GetUtcNow();
            var list = Load(path);
            list.RemoveAll(s => s.StartedAt is not null && !(s.HeldUntil > now));
            change(list);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(list, StoppedServicesJsonContext.Default.ListStoppedService));
            File.Move(temporary, path, overwrite: true);
        }
    }

    /// <summary>The entries on disk; an unreadable file reads as the entries it still parses to, or none.</summary>
    private static List<StoppedService> Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), StoppedServicesJsonContext.Default.ListStoppedService) ?? [];
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return [];
        }
    }
}

/// <summary>Serialises <see cref="StoppedServicesStore"/>'s file.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<StoppedService>))]
internal sealed partial class StoppedServicesJsonContext : JsonSerializerContext;
