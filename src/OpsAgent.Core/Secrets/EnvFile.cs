using OpsAgent.Core.Processes;

namespace OpsAgent.Core.Secrets;

/// <summary>Reads dotenv-style files as used by systemd <c>EnvironmentFile=</c>, docker compose <c>.env</c> and <c>. ./.env</c>.</summary>
/// <remarks>
/// <c>KEY=value</c> and <c>export KEY=value</c> lines; comments and blank lines. A value with quotes or backslashes means
/// what <c>sh</c> makes of it (<see cref="ShellWords"/>: <c>'it''s'</c> is <c>its</c>, <c>"a\nb"</c> keeps its backslash),
/// without expanding <c>$</c>, because passwords contain it far more often than env files mean a variable. A plain value
/// is taken as written up to a <c> #</c> comment (<c>KEY=a b</c> is <c>a b</c>, as systemd and compose read it).
/// </remarks>
public static class EnvFile
{
    /// <summary>Parses the text of an env file into variables; the last definition of a name wins.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
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

            result[line[..eq].Trim()] = Value(line[(eq + 1)..].Trim());
        }

        return result;
    }

    private static string Value(string text)
    {
        if (text.IndexOfAny(['\'', '"', '\\']) < 0)
        {
            var hash = text.StartsWith('#') ? 0 : text.IndexOf(" #", StringComparison.Ordinal);
            return hash >= 0 ? text[..hash].TrimEnd() : text;
        }

        // An unterminated quote is kept as written rather than dropping the variable: the job then fails on a wrong
        // password, which names the variable, instead of on a missing one.
        return ShellWords.TrySplit(text, out var words, out _) ? string.Join(' ', words) : text;
    }
}
