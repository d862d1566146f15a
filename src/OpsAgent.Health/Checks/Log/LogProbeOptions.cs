using System.Text.RegularExpressions;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Checks.Log;

/// <summary>The settings of a <c>log</c> probe: lines matching <see cref="Pattern"/> in a file (followed like <c>tail -F</c>) or a unit's journal, counted over <see cref="Window"/>.</summary>
public sealed class LogProbeOptions : IProbeSettings
{
    /// <summary>How long one line may take to match, so a pathological pattern cannot stall the probe.</summary>
    internal static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>log: the file to follow (rotation by rename and by truncation both followed).</summary>
    public string? File { get; set; }

    /// <summary>log: a systemd unit whose journal is read instead of a file.</summary>
    public string? Unit { get; set; }

    /// <summary>log: a .NET regular expression for the lines counted (<c>ERROR|Traceback</c>).</summary>
    public string? Pattern { get; set; }

    /// <summary>log: a regular expression for every line that counts as a request, making the thresholds a share of them (5xx among all access-log lines).</summary>
    public string? TotalPattern { get; set; }

    /// <summary>log: the sliding window the lines are counted over.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>log: matching lines in the window at or above which the probe warns.</summary>
    public int? WarningCount { get; set; }

    /// <summary>log: matching lines in the window at or above which the probe is critical.</summary>
    public int? CriticalCount { get; set; }

    /// <summary>log: with <see cref="TotalPattern"/>, matching lines as a percent of the total at or above which the probe warns.</summary>
    public double? WarningPercent { get; set; }

    /// <summary>log: with <see cref="TotalPattern"/>, the percent at or above which the probe is critical.</summary>
    public double? CriticalPercent { get; set; }

    /// <inheritdoc />
    public void Validate(string path, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if ((File is null) == (Unit is null))
        {
            errors.Add(path, "a log probe reads one File or one Unit's journal: set exactly one");
        }
        else if (File is not null && (!System.IO.Path.IsPathFullyQualified(File) || File.Contains('\0', StringComparison.Ordinal)))
        {
            errors.Add($"{path}:{nameof(File)}", "must be an absolute path without NUL bytes");
        }
        else if (Unit is not null && !MeasuredService.IsUnitName(Unit))
        {
            errors.Add($"{path}:{nameof(Unit)}", "must be a unit name");
        }

        Regex($"{path}:{nameof(Pattern)}", Pattern, required: true, errors);
        Regex($"{path}:{nameof(TotalPattern)}", TotalPattern, required: false, errors);
        if (Window < TimeSpan.FromSeconds(1) || Window > TimeSpan.FromDays(1))
        {
            errors.Add($"{path}:{nameof(Window)}", "must be between 1 second and 1 day");
        }

        if (WarningCount is < 1 || CriticalCount is < 1)
        {
            errors.Add($"{path}:{(WarningCount is < 1 ? nameof(WarningCount) : nameof(CriticalCount))}", "must be at least 1");
        }
        else if (WarningCount is { } w && CriticalCount is { } c && w >= c)
        {
            errors.Add($"{path}:{nameof(WarningCount)}", $"must be below {nameof(CriticalCount)} ({c})");
        }

        Percentages.Validate(path, nameof(WarningPercent), WarningPercent, nameof(CriticalPercent), CriticalPercent, errors);
        if ((WarningPercent is not null || CriticalPercent is not null) && TotalPattern is null)
        {
            errors.Add($"{path}:{nameof(TotalPattern)}", "required with WarningPercent or CriticalPercent: the percent is of the lines TotalPattern matches");
        }

        if (WarningCount is null && CriticalCount is null && WarningPercent is null && CriticalPercent is null)
        {
            errors.Add(path, "a log probe needs a threshold: WarningCount, CriticalCount, WarningPercent or CriticalPercent");
        }
    }

    private static void Regex(string path, string? pattern, bool required, ValidationCollector errors)
    {
        if (pattern is null)
        {
            if (required)
            {
                errors.Add(path, "required for a log probe: a regular expression");
            }

            return;
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException ex)
        {
            errors.Add(path, $"not a valid regular expression: {ex.Message}");
        }
    }

    /// <inheritdoc />
    public string Describe() => $"/{Pattern}/ in {(File is not null ? File : $"the journal of {Unit}")} over {Window}";

    /// <inheritdoc />
    public Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Unit is not null)
        {
            return context.CheckUnitAsync($"{path}:{nameof(Unit)}", Unit, cancellationToken);
        }

        if (File is not null && !System.IO.File.Exists(File))
        {
            context.Warning($"{path}:{nameof(File)}", $"{File} does not exist (yet): the probe counts from when it appears");
        }

        return Task.CompletedTask;
    }
}
