using System.ComponentModel;
using System.Globalization;
using System.Text;

namespace OpsAgent.Backups.Retention;

/// <summary>A duration in restic's <c>--keep-within</c> grammar: years, months, days and hours (<c>1y2m3d3h</c>).</summary>
/// <remarks>
/// The README promises restic's semantics, and restic users write <c>1m</c> for a month. The agent's other durations
/// (<c>5m</c> = five minutes) must not leak in here, so this type has its own grammar: <c>y</c>, <c>m</c> (months),
/// <c>d</c> and <c>h</c>, each a positive whole number at most once, in any order, and nothing else. Years and months are
/// calendar arithmetic on the newest backup's local date (as Go's <c>AddDate</c> does), hours are exact.
/// </remarks>
[TypeConverter(typeof(RetentionDurationConverter))]
[Description("a restic duration (y, m = months, d, h: 1y2m3d3h)")]
public readonly record struct RetentionDuration(int Years, int Months, int Days, int Hours)
{
    /// <summary>The grammar, for error messages.</summary>
    public const string Grammar = "restic's y, m (months), d and h, e.g. 30d, 1m, 1y6m, 13d23h";

    /// <summary>True when no part is set.</summary>
    public bool IsZero => Years == 0 && Months == 0 && Days == 0 && Hours == 0;

    /// <summary>Parses <paramref name="text"/>, or says why it is not a restic duration.</summary>
    public static bool TryParse(string? text, out RetentionDuration value, out string problem)
    {
        value = default;
        problem = string.Empty;
        var s = text?.Trim() ?? string.Empty;
        if (s.Length == 0)
        {
            problem = $"is empty (write {Grammar})";
            return false;
        }

        int? years = null, months = null, days = null, hours = null;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && s[i] is >= '0' and <= '9')
            {
                i++;
            }

            if (i == start)
            {
                problem = $"expected a number at '{Shorten(s[start..])}' ({Grammar})";
                return false;
            }

            if (!int.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 100_000)
            {
                problem = $"'{Shorten(s[start..i])}' is too large";
                return false;
            }

            if (i == s.Length)
            {
                problem = $"no unit after {number} ({Grammar})";
                return false;
            }

            var unit = s[i++];
            ref int? slot = ref years;
            switch (unit)
            {
                case 'y': slot = ref years; break;
                case 'm': slot = ref months; break;
                case 'd': slot = ref days; break;
                case 'h': slot = ref hours; break;
                default:
                    problem = unit is 's' or 'w' || (unit == 'm' && i < s.Length && s[i] == 's')
                        ? $"'{unit}' is not a unit here: retention counts in {Grammar} (m is months, as in restic)"
                        : $"'{unit}' is not a unit ({Grammar})";
                    return false;
            }

            if (slot is not null)
            {
                problem = $"'{unit}' is given twice";
                return false;
            }

            slot = number;
        }

        value = new RetentionDuration(years ?? 0, months ?? 0, days ?? 0, hours ?? 0);
        if (value.IsZero)
        {
            problem = "must be longer than zero";
            return false;
        }

        return true;
    }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> with the reason.</summary>
    public static RetentionDuration Parse(string text)
        => TryParse(text, out var value, out var problem) ? value : throw new FormatException(problem);

    /// <summary>The instant this duration before <paramref name="time"/>, with calendar arithmetic in <paramref name="zone"/>.</summary>
    /// <remarks>
    /// Go's <c>AddDate</c> normalises instead of clamping (31 March minus a month is 3 March, not 28 February), and restic
    /// subtracts years, months and days that way, then the hours as elapsed time. Doing the same keeps the same backups.
    /// </remarks>
    public DateTimeOffset Before(DateTimeOffset time, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(time, zone);
        var wall = local.DateTime;
        var monthIndex = ((wall.Year - Years) * 12) + (wall.Month - 1) - Months;
        var year = Math.DivRem(monthIndex, 12, out var month);
        if (month < 0)
        {
            month += 12;
            year--;
        }

        if (year < 1)
        {
            return DateTimeOffset.MinValue;
        }

        try
        {
            var date = new DateTime(year, month + 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddDays(wall.Day - 1 - Days) + wall.TimeOfDay;
            // The wall clock in the zone, back to an instant: a time in the spring gap takes the offset before it (so it moves
            // forward), a repeated one the earlier of its two instants (the cut-off that keeps more).
            var offset = zone.IsInvalidTime(date) ? zone.GetUtcOffset(date.AddDays(-1))
                : zone.IsAmbiguousTime(date) ? zone.GetAmbiguousTimeOffsets(date).Max() : zone.GetUtcOffset(date);
            return new DateTimeOffset(date, offset).AddHours(-Hours);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Before the first representable instant (2025y from a 2026 backup): everything is within.
            return DateTimeOffset.MinValue;
        }
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder();
        void Part(int n, char unit)
        {
            if (n != 0)
            {
                text.Append(n.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }

        Part(Years, 'y');
        Part(Months, 'm');
        Part(Days, 'd');
        Part(Hours, 'h');
        return text.Length == 0 ? "0h" : text.ToString();
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..17] + "...";
}
