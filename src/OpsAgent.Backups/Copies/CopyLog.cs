using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Backups.Copies;

/// <summary>Copy log entries; the <c>Event</c> scope becomes <c>OPSAGENT_EVENT</c> in the journal.</summary>
internal static partial class CopyLog
{
    [LoggerMessage(EventId = EventIds.Copies.Started, Level = LogLevel.Information, Message = "Copy {Job} to {Target} started: {Missing} backup(s) to upload to {Where}")]
    public static partial void Started(ILogger logger, string job, string target, int missing, string where);

    [LoggerMessage(EventId = EventIds.Copies.Succeeded, Level = LogLevel.Information, Message = "Copy {Job} to {Target}: {File} uploaded as {Location} ({SizeBytes} bytes, checked by {CheckedBy}) in {DurationSeconds:0.0}s")]
    public static partial void Succeeded(ILogger logger, string job, string target, string file, string location, long sizeBytes, string checkedBy, double durationSeconds);

    [LoggerMessage(EventId = EventIds.Copies.Failed, Level = LogLevel.Error, Message = "Copy {Job} to {Target} failed ({Reason}): {Error}; the local backups are untouched and the copy is retried at the next run")]
    public static partial void Failed(ILogger logger, string job, string target, string reason, string error);

    [LoggerMessage(EventId = EventIds.Copies.Deleted, Level = LogLevel.Information, Message = "Copy {Job} on {Target}: deleted {Location} (not kept by {Rule})")]
    public static partial void Deleted(ILogger logger, string job, string target, string location, string rule);

    [LoggerMessage(EventId = EventIds.Copies.Retrying, Level = LogLevel.Warning, Message = "Copy {Job} to {Target}: attempt {Attempt} of {File} failed ({Reason}: {Error}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string job, string target, int attempt, string file, string reason, string error, TimeSpan delay);

    [LoggerMessage(EventId = EventIds.Copies.UpToDate, Level = LogLevel.Information, Message = "Copy {Job} to {Target}: up to date ({Files} backup(s) there)")]
    public static partial void UpToDate(ILogger logger, string job, string target, int files);

    [LoggerMessage(EventId = EventIds.Copies.KeptUncopied, Level = LogLevel.Information, Message = "Backup {Job}: kept {File} beyond local retention: {Target} does not have it yet (held for at most {KeepUncopiedDays} days)")]
    public static partial void KeptUncopied(ILogger logger, string job, string file, string target, int keepUncopiedDays);

    [LoggerMessage(EventId = EventIds.Copies.UncopiedDeleted, Level = LogLevel.Warning, Message = "Backup {Job}: deleted {File}, which {Target} never received, after KeepUncopiedDays ({KeepUncopiedDays})")]
    public static partial void UncopiedDeleted(ILogger logger, string job, string file, string target, int keepUncopiedDays);

    [LoggerMessage(EventId = EventIds.Copies.Refused, Level = LogLevel.Warning, Message = "Copy {Job} refused: another process holds {LockPath}; its pass covers the queue")]
    public static partial void Refused(ILogger logger, string job, string lockPath);

    [LoggerMessage(EventId = EventIds.Copies.IncompleteRemoved, Level = LogLevel.Information, Message = "Copy {Job} on {Target}: removed {Count} incomplete upload(s) an interrupted pass left")]
    public static partial void IncompleteRemoved(ILogger logger, string job, string target, int count);

    [LoggerMessage(EventId = EventIds.Copies.DeleteFailed, Level = LogLevel.Warning, Message = "Copy {Job} on {Target}: cannot delete {Location} ({Reason}): {Error}; tried again at the next pass")]
    public static partial void DeleteFailed(ILogger logger, string job, string target, string location, string reason, string error);

    [LoggerMessage(EventId = EventIds.Copies.Fetched, Level = LogLevel.Information, Message = "Copy {Job} on {Target}: downloaded {Location} to {File}, checksums match")]
    public static partial void Fetched(ILogger logger, string job, string target, string location, string file);

    [LoggerMessage(EventId = EventIds.Copies.RemoteIgnored, Level = LogLevel.Warning, Message = "Copy {Job} on {Target}: {Location} is dated in the future; not counted, kept or deleted (a wrong clock once, or another writer to this folder)")]
    public static partial void RemoteIgnored(ILogger logger, string job, string target, string location);
}
