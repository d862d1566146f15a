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
    [TestCase("0 0 2 * * ? 2026-2099")]
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

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public void NextFireTimes_AutumnRepeatedHour_FixedTimeJobRunsOncePerLocalDay()
    {
        // 2027-10-31 in Berlin: 03:00 CEST goes back to 02:00 CET, so 02:30 happens at 00:30Z and again at 01:30Z.
        var next = ScheduleSpec.ParseCron("30 2 * * *").NextFireTimes(Utc("2027-10-30T23:00:00Z"), Berlin, 2);

        Assert.That(next, Is.EqualTo(new[] { Utc("2027-10-31T00:30:00Z"), Utc("2027-11-01T01:30:00Z") }), "cron runs 02:30 once that day");
    }

    [TestCase("2027-10-31T01:00:00Z")] // 02:00 CET, the repeated hour begins
    [TestCase("2027-10-31T01:05:00Z")] // 02:05 CET: the agent (re)started after the 02:30 CEST run
    [TestCase("2027-10-31T01:29:59Z")]
    public void NextFireTimes_StartInsideRepeatedHour_DoesNotRunTheDayAgain(string start)
    {
        var next = ScheduleSpec.ParseCron("30 2 * * *").NextFireTimes(Utc(start), Berlin, 1).Single();

        Assert.That(next, Is.EqualTo(Utc("2027-11-01T01:30:00Z")));
    }

    [Test]
    public void PreviousFireTime_InsideRepeatedHour_IsTheFirstPassNotTheSecond()
    {
        // Catch-up compares the newest backup with this: 02:40 CET must see the 02:30 CEST run as the day's run.
        var previous = ScheduleSpec.ParseCron("30 2 * * *").PreviousFireTime(Utc("2027-10-31T01:40:00Z"), Berlin);

        Assert.That(previous, Is.EqualTo(Utc("2027-10-31T00:30:00Z")));
    }

    [Test]
    public void NextFireTimes_SpringSkippedHour_RunsOnceRightAfterTheChange()
    {
        // 2027-03-28 in Berlin: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day. cron runs it once at the change.
        var next = ScheduleSpec.ParseCron("30 2 * * *").NextFireTimes(Utc("2027-03-27T23:00:00Z"), Berlin, 2);

        Assert.That(next, Has.Count.EqualTo(2));
        Assert.That(TimeZoneInfo.ConvertTime(next[0], Berlin).Date, Is.EqualTo(new DateTime(2027, 3, 28)), "once on the day of the change");
        Assert.That(next[0], Is.GreaterThanOrEqualTo(Utc("2027-03-28T01:00:00Z")).And.LessThanOrEqualTo(Utc("2027-03-28T01:30:00Z")));
        Assert.That(next[1], Is.EqualTo(Utc("2027-03-29T00:30:00Z")));
    }

    [Test]
    public void NextFireTimes_WildcardHourInRepeatedHour_RunsInBothPasses()
    {
        // cron runs jobs with a wildcard hour in both passes: every 30 minutes stays every 30 minutes of real time.
        var next = ScheduleSpec.ParseCron("*/30 * * * *").NextFireTimes(Utc("2027-10-31T00:00:00Z"), Berlin, 4);

        Assert.That(next, Is.EqualTo(new[] { Utc("2027-10-31T00:30:00Z"), Utc("2027-10-31T01:00:00Z"), Utc("2027-10-31T01:30:00Z"), Utc("2027-10-31T02:00:00Z") }));
    }

    [TestCase("0 2 30 2 *")]          // 30 February
    [TestCase("0 2 31 4 *")]          // 31 April
    [TestCase("0 0 2 * * ? 2015")]    // a year long gone
    public void TryParseCron_NeverFiresInFiveYears_IsRefusedSayingSo(string text)
    {
        Assert.That(ScheduleSpec.TryParseCron(text, out var schedule, out var error), Is.False);
        Assert.That(schedule, Is.Null);
        Assert.That(error, Does.Contain("never fires").And.Contain("5 years"));
    }

    [Test]
    public void TryParseCron_OneOffThatHasRun_StaysValid()
    {
        // A one-off in last year: its configuration must still load (a restart or an unrelated reload after its day).
        var lastYear = DateTime.UtcNow.Year - 1;
        Assert.That(ScheduleSpec.TryParseCron($"0 0 3 1 6 ? {lastYear}", out _, out var error), Is.True, error);
    }

    [Test]
    public void TryParseCron_TwentyNinthOfFebruary_IsAcceptedThoughRare()
        => Assert.That(ScheduleSpec.TryParseCron("0 2 29 2 *", out _, out var error), Is.True, error);
}
