using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Backups.Engines.FileTrees;

internal static partial class FilesLog
{
    [LoggerMessage(EventId = EventIds.BackupFiles.Changed, Level = LogLevel.Warning, Message = "Backup {Job}: {Count} files changed or vanished while read, archived as they were when their header was written: {Files}")]
    public static partial void Changed(ILogger logger, string job, int count, string files);

    [LoggerMessage(EventId = EventIds.BackupFiles.Unreadable, Level = LogLevel.Warning, Message = "Backup {Job}: {Count} unreadable files skipped (IgnoreUnreadable): {Files}")]
    public static partial void Unreadable(ILogger logger, string job, int count, string files);

    [LoggerMessage(EventId = EventIds.BackupFiles.Skipped, Level = LogLevel.Information, Message = "Backup {Job}: {Count} sockets, devices or FIFOs left out: {Files}")]
    public static partial void Skipped(ILogger logger, string job, int count, string files);
}
