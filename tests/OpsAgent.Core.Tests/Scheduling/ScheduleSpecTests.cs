using OpsAgent.Core.Scheduling;

namespace OpsAgent.Core.Tests.Scheduling;

public sealed class ScheduleSpecTests
{
    private static readonly TimeZoneInfo Lagos = TimeZoneInfo.FindSystemTimeZoneById("Africa/Lagos");
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero); // a Monday

    [Test]
    public void TryParseCron_CrontabNightly_FiresAtTwoInConfiguredZone()
    {
        Assert.That(ScheduleSpec.TryParseCron("0 2 * * *", out var schedule, out var error), Is.True, error);

        var next = schedule!.NextFireTimes(Start, Lagos, 3);

        // 02:00 in Lagos (UTC+1) is 01:00 UTC.
        Assert.That(next, Is.EqualTo(new[]
        {
            new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 26, 1, 0, 0, TimeSpan.Zero),
        }));
    }

    [TestCase("30 3 * * 0")]
    [TestCase("30 3 * * 7")]
    [TestCase("30 3 * * SUN")]
    public void TryParseCron_CrontabSundaySpellings_AllFireOnSunday(string text)
    {
        Assert.That(ScheduleSpec.TryParseCron(text, out var schedule, out var error), Is.True, error);
        var next = schedule!.NextFireTimes(Start, TimeZoneInfo.Utc, 1).Single();
        Assert.That(next, Is.EqualTo(new DateTimeOffset(2026, 11, 29, 3, 30, 0, TimeSpan.Zero)));
    }

    [Test]
    public void TryParseCron_WeekdaysRange_SkipsWeekend()
    {
        Assert.That(ScheduleSpec.TryParseCron("0 6 * * 1-5", out var schedule, out _), Is.True);
        var days = schedule!.NextFireTimes(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero), TimeZoneInfo.Utc, 2).Select(t => t.DayOfWeek);
        Assert.That(days, Is.EqualTo(new[] { DayOfWeek.Monday, DayOfWeek.Tuesday }));
    }

    [TestCase("0 0 2 * * ?")]
    [TestCase("0 0 2 * * ? 2026-2030")]
    [TestCase("@daily")]
    public void TryParseCron_QuartzAndMacroForms_Accepted(string text)
        => Assert.That(ScheduleSpec.TryParseCron(text, out _, out var error), Is.True, error);

    [TestCase("0 2 * *", "expected 5 fields")]
    [TestCase("0 25 * * *", "'0 25 * * *' is not a cron expression")]
    [TestCase("", "a schedule is required")]
    [TestCase("@fortnightly", "is not a cron expression")]
    public void TryParseCron_Invalid_ExplainsWhatIsWrong(string text, string expected)
    {
        Assert.That(ScheduleSpec.TryParseCron(text, out var schedule, out var error), Is.False);
        Assert.That(schedule, Is.Null);
        Assert.That(error, Does.Contain(expected));
    }

    [Test]
    public void FromInterval_Every30Seconds_NextTimesAreSpaced()
    {
        var next = ScheduleSpec.FromInterval(TimeSpan.FromSeconds(30)).NextFireTimes(Start, TimeZoneInfo.Utc, 2);
        Assert.That(next, Is.EqualTo(new[] { Start.AddSeconds(30), Start.AddSeconds(60) }));
    }
}
