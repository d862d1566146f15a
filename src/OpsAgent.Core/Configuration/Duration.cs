using System.Globalization;
using System.Text.RegularExpressions;

namespace OpsAgent.Core.Configuration;

/// <summary>Parses durations written as .NET TimeSpans (<c>00:00:30</c>) or as <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>.</summary>
/// <remarks>Operators copy intervals from systemd and Prometheus, which use the short form; accepting both avoids a whole class of config errors.</remarks>
public static partial class Duration
{
    [GeneratedRegex(@"^\s*(?:(?<d>\d+)d)?\s*(?:(?<h>\d+)h)?\s*(?:(?<m>\d+)m(?!s))?\s*(?:(?<s>\d+(?:\.\d+)?)s)?\s*(?:(?<ms>\d+)ms)?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex ShortForm();

    /// <summary>Tries to parse <paramref name="text"/>.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        var match = ShortForm().Match(text);
        if (!match.Success || match.Length == 0 || !match.Groups.Cast<Group>().Skip(1).Any(g => g.Success))
        {
            return false;
        }

        double Part(string name) => match.Groups[name].Success ? double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        value = TimeSpan.FromDays(Part("d")) + TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m"))
              + TimeSpan.FromSeconds(Part("s")) + TimeSpan.FromMilliseconds(Part("ms"));
        return true;
    }
}
