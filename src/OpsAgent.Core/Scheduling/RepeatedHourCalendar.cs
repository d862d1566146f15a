using Quartz;
using Quartz.Impl.Calendar;

namespace OpsAgent.Core.Scheduling;

/// <summary>Excludes the second pass of the autumn's repeated hour, so a fixed-time job runs once per local calendar day.</summary>
/// <remarks>
/// Quartz computes a cron trigger's first fire time from its start instant; started (or rescheduled) at 02:05 CET after the
/// 02:30 CEST run, it would find 02:30 CET and run the night's backup again. cron (Vixie, cronie) runs fixed-time jobs once
/// when the clock goes back; this calendar gives Quartz the same rule. Wildcard-hour schedules do not use it.
/// </remarks>
internal sealed class RepeatedHourCalendar : BaseCalendar
{
    /// <summary>The calendar's name in the scheduler for <paramref name="zone"/>.</summary>
    public static string NameFor(TimeZoneInfo zone) => "repeated-hour:" + zone.Id;

    public RepeatedHourCalendar(TimeZoneInfo zone)
        : base(zone)
    {
        Description = $"second pass of the repeated hour in {zone.Id}";
    }

    public override bool IsTimeIncluded(DateTimeOffset timeStampUtc) => base.IsTimeIncluded(timeStampUtc) && !ScheduleSpec.IsSecondPass(timeStampUtc, TimeZone);

    public override DateTimeOffset GetNextIncludedTimeUtc(DateTimeOffset timeUtc)
    {
        var next = base.GetNextIncludedTimeUtc(timeUtc);
        // The second pass ends when the zone's offset stops being ambiguous: step by minutes until then (at most an hour or two).
        while (ScheduleSpec.IsSecondPass(next, TimeZone))
        {
            next = next.AddMinutes(1);
        }

        return next;
    }

    public override ICalendar Clone() => new RepeatedHourCalendar(TimeZone) { CalendarBase = CalendarBase?.Clone() };
}
