using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Certificates;

/// <summary>Certificate log entries; the <c>Event</c> scope property becomes <c>OPSAGENT_EVENT</c> in the journal.</summary>
internal static partial class CertificateLog
{
    [LoggerMessage(EventId = EventIds.Certificates.Critical, Level = LogLevel.Critical, Message = "Certificate {Certificate} ({Subject}) is critical ({Reason}): {DaysLeft:0.0} days left, not after {NotAfter:u}")]
    public static partial void Critical(ILogger logger, string certificate, string subject, string reason, double daysLeft, DateTimeOffset notAfter);

    [LoggerMessage(EventId = EventIds.Certificates.Warning, Level = LogLevel.Warning, Message = "Certificate {Certificate} ({Subject}) expires soon: {DaysLeft:0.0} days left, not after {NotAfter:u}")]
    public static partial void Warning(ILogger logger, string certificate, string subject, double daysLeft, DateTimeOffset notAfter);

    [LoggerMessage(EventId = EventIds.Certificates.Ok, Level = LogLevel.Information, Message = "Certificate {Certificate} ({Subject}) is ok: {DaysLeft:0.0} days left, not after {NotAfter:u}")]
    public static partial void Ok(ILogger logger, string certificate, string subject, double daysLeft, DateTimeOffset notAfter);

    [LoggerMessage(EventId = EventIds.Certificates.CheckFailed, Level = LogLevel.Error, Message = "Certificate check {Certificate} failed ({Reason}) for {Location}: {Error}")]
    public static partial void CheckFailed(ILogger logger, string certificate, string reason, string location, string error);

    [LoggerMessage(EventId = EventIds.Certificates.CheckRecovered, Level = LogLevel.Information, Message = "Certificate check {Certificate} succeeds again for {Location}")]
    public static partial void CheckRecovered(ILogger logger, string certificate, string location);

    [LoggerMessage(EventId = EventIds.Certificates.VerifyFailed, Level = LogLevel.Warning, Message = "Certificate {Certificate} served by {Location} does not verify ({Reason}): {Problem}")]
    public static partial void VerifyFailed(ILogger logger, string certificate, string location, string reason, string problem);

    [LoggerMessage(EventId = EventIds.Certificates.VerifyRecovered, Level = LogLevel.Information, Message = "Certificate {Certificate} served by {Location} verifies again")]
    public static partial void VerifyRecovered(ILogger logger, string certificate, string location);

    [LoggerMessage(EventId = EventIds.Certificates.RenewalSucceeded, Level = LogLevel.Information, Message = "Certificate {Certificate}: renewal command {Command} succeeded")]
    public static partial void RenewalSucceeded(ILogger logger, string certificate, string command);

    [LoggerMessage(EventId = EventIds.Certificates.RenewalFailed, Level = LogLevel.Error, Message = "Certificate {Certificate}: renewal command {Command} failed ({Reason}): {Error}")]
    public static partial void RenewalFailed(ILogger logger, string certificate, string command, string reason, string error);

    [LoggerMessage(EventId = EventIds.Certificates.RenewalSkipped, Level = LogLevel.Debug, Message = "Certificate {Certificate}: renewal not run, the last attempt was at {LastAttempt:u} (at most once a day)")]
    public static partial void RenewalSkipped(ILogger logger, string certificate, DateTimeOffset lastAttempt);

    [LoggerMessage(EventId = EventIds.Certificates.StateFileProblem, Level = LogLevel.Warning, Message = "Certificate renewal state {Path} cannot be read or written: {Error}")]
    public static partial void StateFileProblem(ILogger logger, string path, string error);

    [LoggerMessage(EventId = EventIds.Certificates.RenewalNotRun, Level = LogLevel.Error, Message = "Certificate {Certificate}: renewal command {Command} not run: its attempt cannot be recorded in {Path} ({Error}), and unrecorded it would run again at every agent start")]
    public static partial void RenewalNotRun(ILogger logger, string certificate, string command, string path, string error);

    [LoggerMessage(EventId = EventIds.Certificates.RenewalNotStarted, Level = LogLevel.Error, Message = "Certificate {Certificate}: renewal command {Command} could not start ({Reason}): {Error}; not counted as the day's attempt, the next check tries again")]
    public static partial void RenewalNotStarted(ILogger logger, string certificate, string command, string reason, string error);
}
