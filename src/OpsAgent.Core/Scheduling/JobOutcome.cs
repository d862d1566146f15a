namespace OpsAgent.Core.Scheduling;

/// <summary>The result of one job run, as shown in <c>/status</c>.</summary>
/// <param name="Success">Whether the run did its work.</param>
/// <param name="Reason">A short machine reason on failure (<c>timeout</c>, <c>exit_code_1</c>, ...).</param>
/// <param name="Message">A human message; it is redacted before it is stored.</param>
public sealed record JobOutcome(bool Success, string? Reason = null, string? Message = null)
{
    /// <summary>A success.</summary>
    public static JobOutcome Ok(string? message = null) => new(true, null, message);

    /// <summary>A failure.</summary>
    public static JobOutcome Fail(string reason, string? message = null) => new(false, reason, message);
}
