using System.Globalization;
using OpsAgent.Backups.Retention;

namespace OpsAgent.Backups.Tests.Retention;

public sealed class RetentionPlannerTests
{
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    /// <summary>One backup a day at 02:00 UTC for two years, ending on Monday 2026-11-23.</summary>
    private static List<DateTimeOffset> DailyForTwoYears()
    {
        var end = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        return [.. Enumerable.Range(0, 730).Select(i => end.AddDays(-i))];
    }

    private static string[] Kept(IEnumerable<DateTimeOffset> times, RetentionOptions policy, TimeZoneInfo? zone = null)
        => [.. RetentionPlanner.Plan(times, policy, zone ?? Utc).Where(d => d.Keep).Select(d => d.Time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))];

    [Test]
    public void Plan_KeepLast3_KeepsTheThreeNewest()
    {
        Assert.That(Kept(DailyForTwoYears(), new RetentionOptions { KeepLast = 3 }),
            Is.EqualTo(new[] { "2026-11-23 02:00", "2026-11-22 02:00", "2026-11-21 02:00" }));
    }

    [Test]
    public void Plan_DailyWeeklyMonthly_KeepsNewestOfEachPeriodAndSharesBackupsBetweenRules()
    {
        var policy = new RetentionOptions { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 3 };

        var kept = Kept(DailyForTwoYears(), policy);

        Assert.That(kept, Is.EqualTo(new[]
        {
            // 7 days (Mon 23 back to Tue 17); the Sunday of each ISO week; the last day of each month.
            "2026-11-23 02:00", "2026-11-22 02:00", "2026-11-21 02:00", "2026-11-20 02:00", "2026-11-19 02:00", "2026-11-18 02:00", "2026-11-17 02:00",
            "2026-11-15 02:00", "2026-11-08 02:00",
            "2026-10-31 02:00", "2026-09-30 02:00",
        }));
    }

    [Test]
    public void Plan_MonthlyAndYearly_CountOnlyPeriodsThatHaveABackup()
    {
        // Backups only in Jan 2025, Jun 2025 and Nov 2026: "3 monthly" reaches back over the empty months.
        var times = new[] { "2025-01-10", "2025-01-20", "2025-06-05", "2026-11-01", "2026-11-20" }
            .Select(d => DateTimeOffset.Parse(d + "T03:00:00Z", CultureInfo.InvariantCulture));

        Assert.That(Kept(times, new RetentionOptions { KeepMonthly = 3 }), Is.EqualTo(new[] { "2026-11-20 03:00", "2025-06-05 03:00", "2025-01-20 03:00" }));
        Assert.That(Kept(times, new RetentionOptions { KeepYearly = 1 }), Is.EqualTo(new[] { "2026-11-20 03:00" }));
        // Five yearly counts, two years: restic (0.16, #3624) also keeps the oldest while a rule has counts left.
        Assert.That(Kept(times, new RetentionOptions { KeepYearly = 5 }), Is.EqualTo(new[] { "2026-11-20 03:00", "2025-06-05 03:00", "2025-01-10 03:00" }));
    }

    [Test]
    public void Plan_UnlimitedYearly_KeepsNewestOfEveryYear()
    {
        var kept = Kept(DailyForTwoYears(), new RetentionOptions { KeepLast = 1, KeepYearly = -1 });

        Assert.That(kept, Is.EqualTo(new[] { "2026-11-23 02:00", "2025-12-31 02:00", "2024-12-31 02:00", "2024-11-24 02:00" }), "and the oldest: an unlimited rule never runs out");
    }

    [Test]
    public void Plan_KeepWithin_KeepsEverythingNewerThanNewestMinusDuration()
    {
        // The newest backup is the reference, not "now": a paused agent does not lose its history on return.
        var kept = Kept(DailyForTwoYears(), new RetentionOptions { KeepWithin = RetentionDuration.Parse("3d") });

        Assert.That(kept, Is.EqualTo(new[] { "2026-11-23 02:00", "2026-11-22 02:00", "2026-11-21 02:00" }));
    }

    [Test]
    public void Plan_NoRules_KeepsEverything()
    {
        Assert.That(Kept(DailyForTwoYears(), new RetentionOptions()), Has.Length.EqualTo(730));
    }

    [Test]
    public void Plan_AllRulesZero_KeepsEverything()
    {
        // 0 is "rule not set", as in restic: a policy without rules removes nothing (the validator refuses it anyway).
        var decisions = RetentionPlanner.Plan(DailyForTwoYears(), new RetentionOptions { KeepLast = 0, KeepDaily = 0 }, Utc);

        Assert.That(decisions.Count(d => d.Keep), Is.EqualTo(730));
    }

    [Test]
    public void Plan_SeveralBackupsPerDay_DailyKeepsTheLastOfEachDay()
    {
        var times = new[] { "2026-11-23T01:00:00Z", "2026-11-23T13:00:00Z", "2026-11-22T01:00:00Z", "2026-11-22T13:00:00Z", "2026-11-21T13:00:00Z" }
            .Select(t => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture));

        Assert.That(Kept(times, new RetentionOptions { KeepDaily = 2 }), Is.EqualTo(new[] { "2026-11-23 13:00", "2026-11-22 13:00" }));
    }

    [Test]
    public void Plan_DaysInConfiguredZone_NotUtc()
    {
        // 23:30 UTC on the 22nd is the 23rd in Tokyo, 14:00 UTC is still the 22nd there: one UTC day, two Tokyo days.
        var times = new[] { "2026-11-22T23:30:00Z", "2026-11-22T14:00:00Z", "2026-11-21T14:00:00Z" }.Select(t => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture)).ToList();
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

        Assert.That(Kept(times, new RetentionOptions { KeepDaily = 2 }, Utc), Is.EqualTo(new[] { "2026-11-22 23:30", "2026-11-21 14:00" }), "the 22nd and the 21st in UTC");
        Assert.That(Kept(times, new RetentionOptions { KeepDaily = 2 }, tokyo), Is.EqualTo(new[] { "2026-11-22 23:30", "2026-11-22 14:00" }), "the 23rd and the 22nd in Tokyo");
    }

    [Test]
    public void Plan_Weekly_UsesIsoWeeksAcrossTheYearBoundary()
    {
        // 2026-01-01 (Thu) is in ISO week 2026-W01 with 2025-12-29 (Mon); 2025-12-28 (Sun) is in 2025-W52.
        var times = new[] { "2026-01-01", "2025-12-29", "2025-12-28" }.Select(d => DateTimeOffset.Parse(d + "T02:00:00Z", CultureInfo.InvariantCulture));

        Assert.That(Kept(times, new RetentionOptions { KeepWeekly = 2 }), Is.EqualTo(new[] { "2026-01-01 02:00", "2025-12-28 02:00" }));
    }

    [Test]
    public void Plan_ResticExample_KeepsTheDocumentedSet()
    {
        // 3 last + 2 daily + 1 weekly over backups every 12 hours for 10 days.
        var end = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
        var times = Enumerable.Range(0, 20).Select(i => end.AddHours(-12 * i));

        var kept = Kept(times, new RetentionOptions { KeepLast = 3, KeepDaily = 2, KeepWeekly = 2 });

        Assert.That(kept, Is.EqualTo(new[]
        {
            "2026-11-20 12:00", "2026-11-20 00:00", "2026-11-19 12:00", // last 3 (the first also daily and weekly)
            // daily 2: 20th (shared) and 19th 12:00 (shared); weekly 2: W47 (shared with the 20th) and W46's newest, Sun 15th 12:00
            "2026-11-15 12:00",
        }));
    }

    [TestCase("2025y15d")]
    [TestCase("2025y10h")]
    [TestCase("2026y")]
    public void Plan_KeepWithinReachingBeforeYearOne_KeepsEverythingInsteadOfThrowing(string within)
    {
        var times = new[] { "2026-01-10T02:00:00Z", "2020-01-01T02:00:00Z", "0002-01-01T00:00:00Z" }.Select(t => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture));

        Assert.That(Kept(times, new RetentionOptions { KeepWithin = RetentionDuration.Parse(within) }), Has.Length.EqualTo(3));
    }
}
