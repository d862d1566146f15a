using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Backups.Restore;

internal static partial class RestoreLog
{
    [LoggerMessage(EventId = EventIds.Restores.Step, Level = LogLevel.Information, Message = "Restore {Job}: {Step}: {Detail}")]
    public static partial void Step(ILogger logger, string job, string step, string detail);

    [LoggerMessage(EventId = EventIds.Restores.Succeeded, Level = LogLevel.Information, Message = "Restore {Job} succeeded: {File} over the original; pre-restore backup {PreRestoreBackup}")]
    public static partial void Succeeded(ILogger logger, string job, string file, string preRestoreBackup);

    [LoggerMessage(EventId = EventIds.Restores.Failed, Level = LogLevel.Error, Message = "Restore {Job} failed at {Step} ({Reason}): {Error}; stopped services started again: {Started}; to go back: {PreRestoreBackup}")]
    public static partial void Failed(ILogger logger, string job, string step, string reason, string error, string started, string preRestoreBackup);
}
