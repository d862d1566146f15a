using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsAgent.Backups.Drills;

/// <summary>Reads and writes <see cref="DrillState"/>; a missing or unreadable file reads as no drill yet.</summary>
internal static class DrillStateStore
{
    public static string PathFor(string stateDirectory, string job) => Path.Combine(stateDirectory, "drills", job + ".json");

    public static DrillState Read(string stateDirectory, string job)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(PathFor(stateDirectory, job)), DrillJsonContext.Default.DrillState) ?? new DrillState();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return new DrillState();
        }
    }

    public static void Write(string stateDirectory, string job, DrillState state)
    {
        var path = PathFor(stateDirectory, job);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state, DrillJsonContext.Default.DrillState));
        File.Move(temporary, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DrillState))]
internal sealed partial class DrillJsonContext : JsonSerializerContext;
