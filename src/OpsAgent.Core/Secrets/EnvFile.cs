namespace OpsAgent.Core.Secrets;

/// <summary>Reads dotenv-style files as used by systemd <c>EnvironmentFile=</c> and docker compose <c>.env</c>.</summary>
/// <remarks>
/// Accepts <c>KEY=value</c>, <c>export KEY=value</c>, single and double quotes (double quotes honour <c>\n</c>, <c>\"</c>, <c>\\</c>),
/// comments and blank lines. A trailing <c># comment</c> is removed only from unquoted values, because passwords contain '#'
/// far more often than env files contain trailing comments after quoted values.
/// </remarks>
public static class EnvFile
{
    /// <summary>Parses the text of an env file into variables; the last definition of a name wins.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value.LastIndexOf('"') > 0)
            {
                value = Unescape(value[1..value.LastIndexOf('"')]);
            }
            else if (value.Length >= 2 && value[0] == '\'' && value.LastIndexOf('\'') > 0)
            {
                value = value[1..value.LastIndexOf('\'')];
            }
            else
            {
                var hash = value.IndexOf(" #", StringComparison.Ordinal);
                if (hash >= 0)
                {
                    value = value[..hash].TrimEnd();
                }
            }

            result[key] = value;
        }

        return result;
    }

    private static string Unescape(string value)
        => value.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
}
