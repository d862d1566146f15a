using System.Text.Json;

namespace OpsAgent.Core.Configuration;

/// <summary>Finds the file and line that set a configuration path, so a finding can name the line to edit.</summary>
public static class ConfigurationLines
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>
    /// <c>FILE:LINE</c> of the last file (in merge order) that sets <paramref name="path"/>, or of its nearest enclosing
    /// key when no file sets the path itself (a default); null when no file mentions it (an environment override).
    /// </summary>
    public static string? Find(IReadOnlyList<string> files, string path)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(path);
        var target = path.Split(':');
        (int Depth, string File, int Line) best = (0, "", 0);
        foreach (var file in files.Reverse())
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var (depth, line) = Deepest(bytes, target);
            if (depth == target.Length)
            {
                return $"{file}:{line}";
            }

            if (depth > best.Depth)
            {
                best = (depth, file, line);
            }
        }

        return best.Depth > 0 ? $"{best.File}:{best.Line}" : null;
    }

    /// <summary>
    /// <paramref name="error"/> as printed (<c>path: message</c>), followed by <c> (file:line)</c> when its path is found in
    /// <paramref name="files"/>: the same form as the host findings, so every configuration error says where to look.
    /// </summary>
    public static string Describe(IReadOnlyList<string> files, ConfigError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        // A read or syntax error names its file in the path already.
        var at = error.Path.StartsWith(OpsAgentOptions.SectionName, StringComparison.OrdinalIgnoreCase) ? Find(files, error.Path) : null;
        return at is null ? error.ToString() : $"{error} ({at})";
    }

    /// <summary>How many leading segments of <paramref name="target"/> the JSON has as nested keys, and the line of the deepest.</summary>
    private static (int Depth, int Line) Deepest(ReadOnlySpan<byte> bytes, string[] target)
    {
        var offset = bytes.StartsWith("\uFEFF"u8) ? 3 : 0;
        var json = bytes[offset..];
        var reader = new Utf8JsonReader(json, Options);
        // The key of each open container (arrays: the element index), and each open array's next index (-1: an object).
        var keys = new List<string>();
        var next = new List<int>();
        string? pending = null;
        (int Depth, int Line) best = (0, 0);
        try
        {
            while (reader.Read())
            {
                var inArray = next.Count > 0 && next[^1] >= 0;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pending = reader.GetString();
                        var depth = Matching(keys, pending!, target);
                        if (depth > best.Depth)
                        {
                            best = (depth, 1 + json[..(int)reader.TokenStartIndex].Count((byte)'\n'));
                        }

                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (next.Count > 0)
                        {
                            keys.Add(inArray ? (next[^1]++).ToString(System.Globalization.CultureInfo.InvariantCulture) : pending ?? "");
                        }

                        next.Add(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        next.RemoveAt(next.Count - 1);
                        if (next.Count > 0)
                        {
                            keys.RemoveAt(keys.Count - 1);
                        }

                        break;
                    default:
                        if (inArray)
                        {
                            next[^1]++;
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            // A file that does not parse was already reported by the load; what was found before the error still counts.
        }

        return best;
    }

    private static int Matching(List<string> keys, string name, string[] target)
    {
        if (keys.Count + 1 > target.Length)
        {
            return 0;
        }

        for (var i = 0; i < keys.Count; i++)
        {
            if (!string.Equals(keys[i], target[i], StringComparison.OrdinalIgnoreCase))
            {
                return 0;
            }
        }

        return string.Equals(name, target[keys.Count], StringComparison.OrdinalIgnoreCase) ? keys.Count + 1 : 0;
    }
}
