using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Health;

/// <summary>Probe and restart log entries; the <c>Event</c> scope property becomes <c>OPSAGENT_EVENT</c> in the journal.</summary>
internal static partial class ProbeLog
{
    [LoggerMessage(EventId = EventIds.Probes.Failing, Level = LogLevel.Error, Message = "Probe {Probe} is failing ({Reason}) after {Failures} consecutive failures: {Problem}")]
    public static partial void Failing(ILogger logger, string probe, string reason, int failures, string problem);

    [LoggerMessage(EventId = EventIds.Probes.Recovered, Level = LogLevel.Information, Message = "Probe {Probe} is healthy again: {Detail}")]
    public static partial void Recovered(ILogger logger, string probe, string detail);

    [LoggerMessage(EventId = EventIds.Probes.RestartStarted, Level = LogLevel.Warning, Message = "Probe {Probe}: restarting {Target} ({Reason}), restart {Count} of at most {MaxRestarts} in {Window}")]
    public static partial void RestartStarted(ILogger logger, string probe, string target, string reason, int count, int maxRestarts, TimeSpan window);

    [LoggerMessage(EventId = EventIds.Probes.RestartRecovered, Level = LogLevel.Information, Message = "Probe {Probe}: {Target} recovered {Seconds:0.0}s after the restart")]
    public static partial void RestartRecovered(ILogger logger, string probe, string target, double seconds);

    [LoggerMessage(EventId = EventIds.Probes.RestartNotRecovered, Level = LogLevel.Error, Message = "Probe {Probe}: {Target} did not recover within {VerifyTimeout} of the restart ({Reason}); last {Lines} log lines in {IncidentFile}")]
    public static partial void RestartNotRecovered(ILogger logger, string probe, string target, TimeSpan verifyTimeout, string reason, int lines, string incidentFile);

    [LoggerMessage(EventId = EventIds.Probes.RestartFailed, Level = LogLevel.Error, Message = "Probe {Probe}: restarting {Target} failed: {Error}")]
    public static partial void RestartFailed(ILogger logger, string probe, string target, string error);

    [LoggerMessage(EventId = EventIds.Probes.Suppressed, Level = LogLevel.Error, Message = "Probe {Probe}: {Restarts} restarts of {Target} within {Window}; no more restarts until the probe is healthy again (still probed)")]
    public static partial void Suppressed(ILogger logger, string probe, int restarts, string target, TimeSpan window);

    [LoggerMessage(EventId = EventIds.Probes.RestartSkipped, Level = LogLevel.Warning, Message = "Probe {Probe} is failing but {Target} is not restarted: {Reason}")]
    public static partial void RestartSkipped(ILogger logger, string probe, string target, string reason);

    [LoggerMessage(EventId = EventIds.Probes.Prepared, Level = LogLevel.Warning, Message = "Probe {Probe}: {Action} before the restart")]
    public static partial void Prepared(ILogger logger, string probe, string action);

    [LoggerMessage(EventId = EventIds.Probes.Stopped, Level = LogLevel.Information, Message = "Probe {Probe}: the target was stopped on purpose ({Reason}), so it is not restarted: {Problem}")]
    public static partial void Stopped(ILogger logger, string probe, string reason, string problem);

    [LoggerMessage(EventId = EventIds.Probes.Result, Level = LogLevel.Debug, Message = "Probe {Probe}: {Result} ({Reason}) in {Milliseconds:0} ms")]
    public static partial void Result(ILogger logger, string probe, string result, string reason, double milliseconds);

    [LoggerMessage(EventId = EventIds.Probes.RestartCallTimedOut, Level = LogLevel.Warning, Message = "Probe {Probe}: the restart of {Target} did not return within {Limit}; the probe decides whether it recovered")]
    public static partial void RestartCallTimedOut(ILogger logger, string probe, string target, TimeSpan limit);

    [LoggerMessage(EventId = EventIds.Probes.PauseFileUnreadable, Level = LogLevel.Error, Message = "Pause file {Path} {Problem}: no declared pause is in force, failing probes are restarted")]
    public static partial void PauseFileUnreadable(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = EventIds.Probes.Warning, Level = LogLevel.Warning, Message = "Probe {Probe} is at its warning level ({Reason}): {Detail}")]
    public static partial void Warning(ILogger logger, string probe, string reason, string detail);

    [LoggerMessage(EventId = EventIds.Probes.Ok, Level = LogLevel.Information, Message = "Probe {Probe} is back below its warning level: {Detail}")]
    public static partial void Ok(ILogger logger, string probe, string detail);

    [LoggerMessage(EventId = EventIds.Probes.Command, Level = LogLevel.Warning, Message = "Probe {Probe}: OnCritical '{Command}' {Result}: {Output}")]
    public static partial void Command(ILogger logger, string probe, string command, string result, string output);

    [LoggerMessage(EventId = EventIds.Probes.HeldByAgent, Level = LogLevel.Information, Message = "Probe {Probe}: failure not counted, {Target} is stopped by {Job} for a {Purpose}")]
    public static partial void HeldByAgent(ILogger logger, string probe, string target, string job, string purpose);
}
