using System.Globalization;

namespace OpsAgent.Notifications.Alerting;

/// <summary><c>HH:mm-HH:mm</c> in the agent's time zone, crossing midnight when the end is before the start.</summary>
internal static class QuietHours
{
    /// <summary>Parses <paramref name="text"/>; false when it is not of that form.</summary>
    public static bool TryParse(string? text, out TimeOnly from, out TimeOnly to)
    {
        from = to = default;
        var parts = text?.Split('-', 2, StringSplitOptions.TrimEntries);
        return parts is { Length: 2 }
            && TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out from)
            && TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out to)
            && from != to;
    }

    /// <summary>Whether <paramref name="local"/> falls in <paramref name="text"/> (never when it is null or malformed).</summary>
    public static bool Contains(string? text, DateTimeOffset local)
    {
        if (!TryParse(text, out var from, out var to))
        {
            return false;
        }

        var now = TimeOnly.FromTimeSpan(local.TimeOfDay);
        return from < to ? now >= from && now < to : now >= from || now < to;
    }
}
