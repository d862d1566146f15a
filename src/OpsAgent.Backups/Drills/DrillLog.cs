using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Backups.Drills;

internal static partial class DrillLog
{
    [LoggerMessage(EventId = EventIds.Drills.Started, Level = LogLevel.Information, Message = "Drill {Job} started: restoring {File} into {Scratch}")]
    public static partial void Started(ILogger logger, string job, string file, string scratch);

    [LoggerMessage(EventId = EventIds.Drills.Succeeded, Level = LogLevel.Information, Message = "Drill {Job} succeeded: {File} restored into {Scratch} ({RestoredBytes} bytes) in {DurationSeconds:0.0}s; checks: {Checks}")]
    public static partial void Succeeded(ILogger logger, string job, string file, string scratch, long restoredBytes, double durationSeconds, string checks);

    [LoggerMessage(EventId = EventIds.Drills.Failed, Level = LogLevel.Error, Message = "Drill {Job} failed ({Reason}): {Error}; checks: {Checks}; scratch {Scratch} {Disposition}")]
    public static partial void Failed(ILogger logger, string job, string reason, string error, string checks, string scratch, string disposition);

    [LoggerMessage(EventId = EventIds.Drills.RowsDropped, Level = LogLevel.Warning, Message = "Drill {Job}: {Tables} have less than half the rows they had at the previous drill")]
    public static partial void RowsDropped(ILogger logger, string job, string tables);

    [LoggerMessage(EventId = EventIds.Drills.CleanupFailed, Level = LogLevel.Error, Message = "Drill {Job}: could not remove {Scratch}: {Error}; remove it by hand")]
    public static partial void CleanupFailed(ILogger logger, string job, string scratch, string error);
}
