namespace OpsAgent.Core.Configuration;

/// <summary>Resolves the configured time zone (<c>Local</c>, <c>UTC</c>, IANA or Windows ids).</summary>
public static class TimeZoneResolver
{
    /// <summary>Returns the zone, or throws <see cref="TimeZoneNotFoundException"/>.</summary>
    public static TimeZoneInfo Resolve(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Equals("Local", StringComparison.OrdinalIgnoreCase))
        {
            return TimeZoneInfo.Local;
        }

        if (id.Equals("UTC", StringComparison.OrdinalIgnoreCase))
        {
            return TimeZoneInfo.Utc;
        }

        return TimeZoneInfo.FindSystemTimeZoneById(id);
    }

    /// <summary>Tries to resolve the zone.</summary>
    public static bool TryResolve(string? id, out TimeZoneInfo zone)
    {
        try
        {
            zone = Resolve(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }
}
