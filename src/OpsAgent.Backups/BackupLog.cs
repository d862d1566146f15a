using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Backups;

/// <summary>Backup log entries; the <c>Event</c> property becomes <c>OPSAGENT_EVENT</c> in the journal.</summary>
internal static partial class BackupLog
{
    [LoggerMessage(EventId = EventIds.Backups.Started, Level = LogLevel.Information, Message = "Backup {Job} started: {Engine} {Database} with {Tool}")]
    public static partial void Started(ILogger logger, string job, string engine, string? database, string tool);

    [LoggerMessage(EventId = EventIds.Backups.Succeeded, Level = LogLevel.Information, Message = "Backup {Job} succeeded: {File} ({SizeBytes} bytes, {UncompressedBytes} uncompressed) in {DurationSeconds:0.0}s, verified by {VerifiedBy}")]
    public static partial void Succeeded(ILogger logger, string job, string file, long sizeBytes, long uncompressedBytes, double durationSeconds, string verifiedBy);

    [LoggerMessage(EventId = EventIds.Backups.Failed, Level = LogLevel.Error, Message = "Backup {Job} failed ({Reason}) on attempt {Attempt}: {Error}")]
    public static partial void Failed(ILogger logger, string job, string reason, string error, int attempt);

    [LoggerMessage(EventId = EventIds.Backups.Refused, Level = LogLevel.Warning, Message = "Backup {Job} refused ({Reason}): {Error}")]
    public static partial void Refused(ILogger logger, string job, string reason, string error);

    [LoggerMessage(EventId = EventIds.Backups.FailedToStart, Level = LogLevel.Error, Message = "Backup {Job} failed ({Reason}) before its first attempt: {Error}")]
    public static partial void FailedToStart(ILogger logger, string job, string reason, string error);

    [LoggerMessage(EventId = EventIds.Backups.Deleted, Level = LogLevel.Information, Message = "Backup {Job}: deleted {File} (not kept by {Rule})")]
    public static partial void Deleted(ILogger logger, string job, string file, string rule);

    [LoggerMessage(EventId = EventIds.Backups.WouldDelete, Level = LogLevel.Information, Message = "Backup {Job}: dry run, would delete {File} (not kept by {Rule})")]
    public static partial void WouldDelete(ILogger logger, string job, string file, string rule);

    [LoggerMessage(EventId = EventIds.Backups.StalePartialRemoved, Level = LogLevel.Warning, Message = "Backup {Job}: removed {File}, left by an interrupted run")]
    public static partial void StalePartialRemoved(ILogger logger, string job, string file);

    [LoggerMessage(EventId = EventIds.Backups.ToolStderr, Level = LogLevel.Warning, Message = "Backup {Job}: {Tool} wrote to stderr: {Stderr}")]
    public static partial void ToolStderr(ILogger logger, string job, string tool, string stderr);

    [LoggerMessage(EventId = EventIds.Backups.Retrying, Level = LogLevel.Warning, Message = "Backup {Job}: attempt {Attempt} failed ({Reason}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string job, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = EventIds.Backups.CatchingUp, Level = LogLevel.Information, Message = "Backup {Job}: newest backup {Newest} is older than the previous scheduled run {Previous}; catching up now")]
    public static partial void CatchingUp(ILogger logger, string job, string newest, DateTimeOffset previous);

    [LoggerMessage(EventId = EventIds.Backups.CatchUpNotNeeded, Level = LogLevel.Information, Message = "Backup {Job}: newest backup {Newest} covers the previous scheduled run {Previous}; no catch-up")]
    public static partial void CatchUpNotNeeded(ILogger logger, string job, string newest, DateTimeOffset previous);

    [LoggerMessage(EventId = EventIds.Backups.WaitingForSlot, Level = LogLevel.Warning, Message = "Backup {Job}: waiting for a free slot ({Held} of {Max} dumps running)")]
    public static partial void WaitingForSlot(ILogger logger, string job, int held, int max);

    [LoggerMessage(EventId = EventIds.Backups.Ignored, Level = LogLevel.Warning, Message = "Backup {Job}: {File} is not counted as a backup ({Reason}); it is left in place")]
    public static partial void Ignored(ILogger logger, string job, string file, string reason);

    [LoggerMessage(EventId = EventIds.Backups.DeleteSkipped, Level = LogLevel.Warning, Message = "Backup {Job}: retention skipped {File}: not a regular file")]
    public static partial void DeleteSkipped(ILogger logger, string job, string file);

    [LoggerMessage(EventId = EventIds.Backups.DeleteFailed, Level = LogLevel.Warning, Message = "Backup {Job}: retention could not delete {File}: {Error}")]
    public static partial void DeleteFailed(ILogger logger, string job, string file, string error);

    [LoggerMessage(EventId = EventIds.Backups.OrmParametersIgnored, Level = LogLevel.Debug, Message = "Backup {Job}: connection URL parameters {Parameters} are for the application's ORM; the dump tools do not get them")]
    public static partial void OrmParametersIgnored(ILogger logger, string job, IReadOnlyList<string> parameters);

    [LoggerMessage(EventId = EventIds.Backups.PartialsInUse, Level = LogLevel.Information, Message = "Backup {Job}: a run is in progress (its lock is held), so its partial files are not stale and are left alone")]
    public static partial void PartialsInUse(ILogger logger, string job);

    [LoggerMessage(EventId = EventIds.Backups.SlotAcquired, Level = LogLevel.Information, Message = "Backup {Job}: got a dump slot after waiting {WaitedSeconds:0.0}s")]
    public static partial void SlotAcquired(ILogger logger, string job, double waitedSeconds);
}
