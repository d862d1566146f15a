using OpsAgent.Core.Configuration;

namespace OpsAgent.Health.Checks;

/// <summary>The warning/critical percentage pairs of the measuring probe types.</summary>
internal static class Percentages
{
    /// <summary>Each between 0 and 100 (NaN is not), and the warning below the critical one when both are set.</summary>
    public static void Validate(string path, string warningKey, double? warning, string criticalKey, double? critical, ValidationCollector errors)
    {
        if (warning is { } w && !(w is > 0 and <= 100))
        {
            errors.Add($"{path}:{warningKey}", "must be a percentage above 0 and at most 100");
        }

        if (critical is { } c && !(c is > 0 and <= 100))
        {
            errors.Add($"{path}:{criticalKey}", "must be a percentage above 0 and at most 100");
        }
        else if (warning is { } w2 && critical is { } c2 && w2 is > 0 and <= 100 && w2 >= c2)
        {
            errors.Add($"{path}:{warningKey}", $"must be below {criticalKey} ({c2})");
        }
    }

    /// <summary>A percentage as the ratio the measures carry.</summary>
    public static double? Ratio(double? percent) => percent / 100;
}
