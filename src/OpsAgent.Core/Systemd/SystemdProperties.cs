namespace OpsAgent.Core.Systemd;

/// <summary>Reads <c>systemctl show</c> output: one <c>Key=value</c> per line.</summary>
public static class SystemdProperties
{
    /// <summary>The properties by name (the last line wins).</summary>
    public static IReadOnlyDictionary<string, string> Parse(string showOutput)
    {
        ArgumentNullException.ThrowIfNull(showOutput);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in showOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        return values;
    }
}
