using System.Globalization;
using System.Text.RegularExpressions;

namespace OpsAgent.Core.Configuration;

/// <summary>Parses durations written as .NET TimeSpans (<c>00:00:30</c>) or as <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>.</summary>
/// <remarks>
/// Operators copy intervals from systemd and Prometheus, which use the short form; accepting both avoids a whole class of config errors.
/// A bare number is refused: <see cref="TimeSpan"/> would read <c>"30"</c> as 30 days, which nobody who writes it means.
/// </remarks>
public static partial class Duration
{
    /// <summary>The accepted forms, for error messages.</summary>
    public const string Forms = "00:00:30 (hh:mm:ss), 1.00:00:00 (d.hh:mm:ss) or 30s, 5m, 1h30m, 2d, 500ms";

    [GeneratedRegex(@"^\s*\d+(?:\.\d+)?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex BareNumber();

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

        // Only the clock form goes to TimeSpan: without a colon it would take a bare number as days.
        if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        var match = ShortForm().Match(text);
        if (!match.Success || match.Length == 0 || !match.Groups.Cast<Group>().Skip(1).Any(g => g.Success))
        {
            return false;
        }

        double Part(string name) => match.Groups[name].Success ? double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        try
        {
            value = TimeSpan.FromDays(Part("d")) + TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m"))
                  + TimeSpan.FromSeconds(Part("s")) + TimeSpan.FromMilliseconds(Part("ms"));
            return true;
        }
        catch (OverflowException)
        {
            // "99999999999999d": longer than TimeSpan holds. Not a duration, rather than an exception out of the binder.
            value = default;
            return false;
        }
    }

    /// <summary>Why <paramref name="text"/> is not a duration, for an error message.</summary>
    public static string Problem(string text) => BareNumber().IsMatch(text)
        ? $"'{text.Trim()}' has no unit: write {text.Trim()}s, {text.Trim()}m, {text.Trim()}h or {text.Trim()}d, or the clock form (accepted: {Forms})"
        : $"'{text}' is not a duration (accepted: {Forms})";
}
