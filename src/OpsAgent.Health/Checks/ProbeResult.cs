namespace OpsAgent.Health.Checks;

/// <summary>One probe attempt.</summary>
/// <param name="Success">Whether the target answered as expected.</param>
/// <param name="Reason">The machine reason of a failure (<c>timeout</c>, <c>status_503</c>, <c>json_mismatch:checks.db.status</c>...).</param>
/// <param name="Message">What was seen, in words.</param>
/// <param name="Latency">How long the attempt took.</param>
public sealed record ProbeResult(bool Success, string? Reason, string? Message, TimeSpan Latency)
{
    /// <summary>A success.</summary>
    public static ProbeResult Ok(TimeSpan latency, string? message = null) => new(true, null, message, latency);

    /// <summary>A failure.</summary>
    public static ProbeResult Fail(string reason, string message, TimeSpan latency) => new(false, reason, message, latency);
}
