using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Backups.Stops;

internal static partial class StopLog
{
    [LoggerMessage(EventId = EventIds.Stops.Stopped, Level = LogLevel.Information, Message = "{Job}: stopped {Target} for the {Purpose}")]
    public static partial void Stopped(ILogger logger, string job, string target, string purpose);

    [LoggerMessage(EventId = EventIds.Stops.Started, Level = LogLevel.Information, Message = "{Job}: started {Target} again after {DownSeconds:0.0}s down")]
    public static partial void Started(ILogger logger, string job, string target, double downSeconds);

    [LoggerMessage(EventId = EventIds.Stops.StartFailed, Level = LogLevel.Error, Message = "{Job}: could not start {Target} again: {Error}; start it by hand")]
    public static partial void StartFailed(ILogger logger, string job, string target, string error);

    [LoggerMessage(EventId = EventIds.Stops.Recovered, Level = LogLevel.Warning, Message = "{Job}: {Target} was left stopped by an agent that ended during the {Purpose} (stopped at {StoppedAt:u}); started it again")]
    public static partial void Recovered(ILogger logger, string job, string target, string purpose, DateTimeOffset stoppedAt);

    [LoggerMessage(EventId = EventIds.Stops.StopFailed, Level = LogLevel.Error, Message = "{Job}: could not stop {Target}: {Error}")]
    public static partial void StopFailed(ILogger logger, string job, string target, string error);
}
