using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpsAgent.Core.Scheduling;
using Quartz;
using Quartz.Extensibility;

namespace OpsAgent.Core.Tests.Scheduling;

/// <summary>The agent's real Quartz triggers under a fake clock across both DST changes of Europe/Berlin.</summary>
public sealed class AgentSchedulerDstTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private sealed class NoJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private static AgentJobDefinition Nightly(string schedule = "30 2 * * *") => new("backup", "db", ScheduleSpec.ParseCron(schedule), typeof(NoJob), MisfirePolicy.FireOnce);

    /// <summary>The fire times a real RAM scheduler gives the agent's trigger started at <paramref name="start"/>, then onwards.</summary>
    private static async Task<List<DateTimeOffset>> FireTimesFromStartAsync(DateTimeOffset start, int count, string schedule = "30 2 * * *")
    {
        var clock = new FakeTimeProvider(start);
        await using var services = new ServiceCollection().AddQuartz(q => q.UseInMemoryStore()).BuildServiceProvider();
        var scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        try
        {
            var job = Nightly(schedule);
            await scheduler.AddCalendar(RepeatedHourCalendar.NameFor(Berlin), new RepeatedHourCalendar(Berlin), new AddCalendarOptions { Replace = true });
            var trigger = (IOperableTrigger)AgentScheduler.BuildTrigger(job, Berlin, clock);
            await scheduler.ScheduleJob(JobBuilder.Create<NoJob>().WithIdentity(job.JobKey).Build(), trigger);
            var stored = (IOperableTrigger)(await scheduler.GetTrigger(trigger.Key))!;
            var calendar = stored.CalendarName is { } name ? await scheduler.GetCalendar(name) : null;
            var times = new List<DateTimeOffset>();
            // Each fire as the scheduler would: the next time after the previous one, through the trigger and its calendar.
            while (times.Count < count && stored.NextFireTimeUtc is { } next)
            {
                times.Add(next);
                stored.Triggered(calendar);
            }

            return times;
        }
        finally
        {
            await scheduler.Shutdown();
        }
    }

    [TestCase("2027-10-31T01:00:00Z")]
    [TestCase("2027-10-31T01:05:00Z")]
    [TestCase("2027-10-31T01:29:00Z")]
    public async Task Trigger_AgentStartedInRepeatedHourAfterTheNightsRun_NextRunIsTomorrow(string start)
    {
        // The 02:30 CEST run was at 00:30Z; the agent starts between 02:00 and 02:30 CET.
        var times = await FireTimesFromStartAsync(Utc(start), 2);

        Assert.That(times, Is.EqualTo(new[] { Utc("2027-11-01T01:30:00Z"), Utc("2027-11-02T01:30:00Z") }));
    }

    [Test]
    public async Task Trigger_RunningThroughAutumnChange_RunsOnceThatNight()
    {
        var times = await FireTimesFromStartAsync(Utc("2027-10-30T12:00:00Z"), 3);

        Assert.That(times, Is.EqualTo(new[] { Utc("2027-10-31T00:30:00Z"), Utc("2027-11-01T01:30:00Z"), Utc("2027-11-02T01:30:00Z") }));
    }

    [Test]
    public async Task Trigger_RunningThroughSpringChange_RunsOnceRightAfterTheChange()
    {
        var times = await FireTimesFromStartAsync(Utc("2027-03-27T12:00:00Z"), 2);

        Assert.That(TimeZoneInfo.ConvertTime(times[0], Berlin).Date, Is.EqualTo(new DateTime(2027, 3, 28)));
        Assert.That(times[0], Is.GreaterThanOrEqualTo(Utc("2027-03-28T01:00:00Z")).And.LessThanOrEqualTo(Utc("2027-03-28T01:30:00Z")), "02:30 does not exist: right after 02:00 CET becomes 03:00 CEST");
        Assert.That(times[1], Is.EqualTo(Utc("2027-03-29T00:30:00Z")));
    }

    [Test]
    public async Task Trigger_WildcardHourJob_FiresInBothPassesOfTheRepeatedHour()
    {
        var times = await FireTimesFromStartAsync(Utc("2027-10-31T00:10:00Z"), 4, "*/30 * * * *");

        Assert.That(times, Is.EqualTo(new[] { Utc("2027-10-31T00:30:00Z"), Utc("2027-10-31T01:00:00Z"), Utc("2027-10-31T01:30:00Z"), Utc("2027-10-31T02:00:00Z") }));
    }
}
