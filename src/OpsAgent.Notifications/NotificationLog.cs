using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Notifications;

/// <summary>Notification log entries; the <c>Event</c> scope property becomes <c>OPSAGENT_EVENT</c> in the journal.</summary>
internal static partial class NotificationLog
{
    [LoggerMessage(EventId = EventIds.Notifications.Failed, Level = LogLevel.Warning, Message = "Notification {Queue} not delivered ({Reason}): {Error}; {Waiting} queued, next attempt in {Delay}")]
    public static partial void Failed(ILogger logger, string queue, string reason, string error, int waiting, TimeSpan delay);

    [LoggerMessage(EventId = EventIds.Notifications.Recovered, Level = LogLevel.Information, Message = "Notification {Queue} delivers again: {Answer}")]
    public static partial void Recovered(ILogger logger, string queue, string answer);

    [LoggerMessage(EventId = EventIds.Notifications.Dropped, Level = LogLevel.Warning, Message = "Notification {Queue}: a queued delivery from {Created:u} was dropped: {Why}")]
    public static partial void Dropped(ILogger logger, string queue, DateTimeOffset created, string why);

    [LoggerMessage(EventId = EventIds.Notifications.HandedOn, Level = LogLevel.Warning, Message = "Notification channel {Channel} failed {Attempts} times ({Reason}): the alert '{Subject}' goes to {Next}")]
    public static partial void HandedOn(ILogger logger, string channel, int attempts, string reason, string subject, string next);

    [LoggerMessage(EventId = EventIds.Notifications.Sent, Level = LogLevel.Debug, Message = "Notification {Queue} delivered: {Answer}")]
    public static partial void Sent(ILogger logger, string queue, string answer);

    [LoggerMessage(EventId = EventIds.Notifications.NotQueued, Level = LogLevel.Error, Message = "Notification for {Queue} could not be queued in {Directory}: {Error}")]
    public static partial void NotQueued(ILogger logger, string queue, string directory, string error);

    [LoggerMessage(EventId = EventIds.Notifications.HeartbeatFailed, Level = LogLevel.Warning, Message = "Heartbeat to {Target} failed ({Reason}): {Error}")]
    public static partial void HeartbeatFailed(ILogger logger, string target, string reason, string error);

    [LoggerMessage(EventId = EventIds.Notifications.HeartbeatRecovered, Level = LogLevel.Information, Message = "Heartbeat to {Target} succeeds again")]
    public static partial void HeartbeatRecovered(ILogger logger, string target);
}
