using System.Globalization;
using Quartz;

namespace OpsAgent.Core.Scheduling;

/// <summary>A parsed schedule: a cron expression (5-field crontab or Quartz 6/7-field) or a fixed interval.</summary>
/// <remarks>
/// Operators copy crontab lines from the runbooks (<c>0 2 * * *</c>), so five fields are read as Unix crontab
/// (Quartz's <see cref="CronFormat.Unix"/>: 0 and 7 are Sunday, day-of-month and day-of-week OR-ed as cron does) and six or
/// seven as Quartz; the <c>@daily</c>-style macros are accepted too. Quartz normalises both to its canonical form.
/// </remarks>
public sealed class ScheduleSpec : IEquatable<ScheduleSpec>
{
    private ScheduleSpec(string text, string? quartzCron, TimeSpan? every, bool fixedTime = false)
    {
        Text = text;
        QuartzCron = quartzCron;
        Every = every;
        IsFixedTime = fixedTime;
    }

    /// <summary>
    /// True for a cron schedule whose minute and hour are not wildcards (<c>30 2 * * *</c>, <c>@daily</c>): as in cron, it runs
    /// once per local calendar day when the clock goes back, not in both passes of the repeated hour.
    /// </summary>
    public bool IsFixedTime { get; }

    /// <summary>The schedule as configured.</summary>
    public string Text { get; }

    /// <summary>The Quartz cron expression, when this is a cron schedule.</summary>
    public string? QuartzCron { get; }

    /// <summary>The interval, when this is an <c>Every</c> schedule.</summary>
    public TimeSpan? Every { get; }

    /// <summary>Creates an interval schedule.</summary>
    public static ScheduleSpec FromInterval(TimeSpan every)
        => every > TimeSpan.Zero ? new(string.Create(CultureInfo.InvariantCulture, $"every {every}"), null, every)
                                 : throw new ArgumentOutOfRangeException(nameof(every), "an interval must be positive");

    /// <summary>Parses a cron schedule, or returns an error message saying why it is not one.</summary>
    public static bool TryParseCron(string? text, out ScheduleSpec? schedule, out string? error)
    {
        schedule = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a schedule is required (crontab '0 2 * * *' or Quartz '0 0 2 * * ?')";
            return false;
        }

        var trimmed = text.Trim();
        var fields = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var format = trimmed.StartsWith('@') || fields is 6 or 7 ? CronFormat.Quartz : CronFormat.Unix;
        if (!trimmed.StartsWith('@') && fields is not (5 or 6 or 7))
        {
            error = $"'{trimmed}' is not a cron expression: expected 5 fields (crontab: minute hour day-of-month month day-of-week) or 6-7 (Quartz: second first), found {fields}";
            return false;
        }

        try
        {
            var expression = CronExpression.Parse(trimmed, format);
            // Quartz accepts 30 February and years gone by; such a job would be scheduled and never run, silently. The
            // window reaches five years back too: a one-off that has run stays a valid configuration (a reload of an
            // unrelated edit, or a restart, must not fail because its day has passed).
            var now = TimeProvider.System.GetUtcNow();
            if (expression.GetNextValidTimeAfter(now.AddYears(-5)) is not { } first || first > now.AddYears(5))
            {
                error = $"'{trimmed}' never fires: no date in the 5 years before or after today matches it (a day the month does not have, or a year long gone?)";
                return false;
            }

            schedule = new ScheduleSpec(trimmed, expression.CronExpressionString, null, IsFixed(trimmed, format));
            return true;
        }
        catch (FormatException ex)
        {
            error = $"'{trimmed}' is not a cron expression: {ex.Message}";
            return false;
        }
    }

    /// <summary>cron's rule (Vixie cron, cronie): a job is "wildcard" when its minute or hour field starts with '*'.</summary>
    private static bool IsFixed(string text, CronFormat format)
    {
        if (text.StartsWith('@'))
        {
            return !text.Equals("@hourly", StringComparison.OrdinalIgnoreCase);
        }

        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var (minute, hour) = format == CronFormat.Unix ? (fields[0], fields[1]) : (fields[1], fields[2]);
        return !minute.StartsWith('*') && !hour.StartsWith('*') && !minute.Contains('/', StringComparison.Ordinal) && !hour.Contains('/', StringComparison.Ordinal);
    }

    /// <summary>True when <paramref name="utc"/> is the second occurrence of a local time that the clock going back repeats.</summary>
    public static bool IsSecondPass(DateTimeOffset utc, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(utc, zone);
        return zone.IsAmbiguousTime(local) && local.Offset == zone.GetAmbiguousTimeOffsets(local).Min();
    }

    /// <summary>Whether a fire time of this schedule at <paramref name="utc"/> is skipped (the repeated hour's second pass).</summary>
    private bool Skips(DateTimeOffset utc, TimeZoneInfo zone) => IsFixedTime && IsSecondPass(utc, zone);

    /// <summary>Parses a cron schedule or throws <see cref="FormatException"/>.</summary>
    public static ScheduleSpec ParseCron(string text)
        => TryParseCron(text, out var s, out var e) ? s! : throw new FormatException(e);

    /// <summary>The Quartz expression in <paramref name="zone"/>.</summary>
    public CronExpression ToCronExpression(TimeZoneInfo zone)
        => CronExpression.Parse(QuartzCron ?? throw new InvalidOperationException("not a cron schedule"), CronFormat.Quartz).WithTimeZone(zone);

    /// <summary>The last fire time at or before <paramref name="now"/> (null for intervals, or when none within a year).</summary>
    /// <remarks>Quartz cron expressions only search forwards, so the search starts a short window back and widens.</remarks>
    public DateTimeOffset? PreviousFireTime(DateTimeOffset now, TimeZoneInfo zone)
    {
        if (QuartzCron is null)
        {
            return null;
        }

        var cron = ToCronExpression(zone);
        foreach (var window in new[] { TimeSpan.FromHours(2), TimeSpan.FromDays(2), TimeSpan.FromDays(32), TimeSpan.FromDays(367) })
        {
            DateTimeOffset? last = null;
            var t = now - window;
            while (cron.GetNextValidTimeAfter(t) is { } next && next <= now)
            {
                last = Skips(next, zone) ? last : next;
                t = next;
            }

            if (last is not null)
            {
                return last;
            }
        }

        return null;
    }

    /// <summary>The next <paramref name="count"/> fire times after <paramref name="after"/>, in UTC.</summary>
    public IReadOnlyList<DateTimeOffset> NextFireTimes(DateTimeOffset after, TimeZoneInfo zone, int count)
    {
        var result = new List<DateTimeOffset>(count);
        if (Every is { } every)
        {
            for (var i = 1; i <= count; i++)
            {
                result.Add(after + (every * i));
            }

            return result;
        }

        var cron = ToCronExpression(zone);
        var t = after;
        while (result.Count < count && cron.GetNextValidTimeAfter(t) is { } next)
        {
            if (!Skips(next, zone))
            {
                result.Add(next);
            }

            t = next;
        }

        return result;
    }

    /// <inheritdoc />
    public bool Equals(ScheduleSpec? other) => other is not null && QuartzCron == other.QuartzCron && Every == other.Every && IsFixedTime == other.IsFixedTime;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ScheduleSpec);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(QuartzCron, Every);

    /// <inheritdoc />
    public override string ToString() => Text;
}
