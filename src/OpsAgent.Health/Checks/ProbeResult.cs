namespace OpsAgent.Health.Checks;

/// <summary>One probe attempt.</summary>
/// <param name="Success">Whether the target answered as expected: false exactly when <see cref="Level"/> is critical.</param>
/// <param name="Reason">The machine reason of a failure or a warning (<c>timeout</c>, <c>status_503</c>, <c>used_ratio_warning</c>...).</param>
/// <param name="Message">What was seen, in words.</param>
/// <param name="Latency">How long the attempt took.</param>
public sealed record ProbeResult(bool Success, string? Reason, string? Message, TimeSpan Latency)
{
    /// <summary>Ok for a pass, critical for a failure, unless a measuring type says warning.</summary>
    public ProbeLevel Level { get; init; } = Success ? ProbeLevel.Ok : ProbeLevel.Critical;

    /// <summary>What the attempt measured, each with its thresholds (none for a plain pass/fail check).</summary>
    public IReadOnlyList<ProbeMeasure> Measures { get; init; } = [];

    /// <summary>Lines that explain the result (a log probe's last matching lines), carried by its journal entries as <c>OPSAGENT_LINES</c>.</summary>
    public string? Lines { get; init; }

    /// <summary>A success.</summary>
    public static ProbeResult Ok(TimeSpan latency, string? message = null) => new(true, null, message, latency);

    /// <summary>A failure.</summary>
    public static ProbeResult Fail(string reason, string message, TimeSpan latency) => new(false, reason, message, latency);

    /// <summary>
    /// The result of measuring <paramref name="measures"/>: the worst of their levels, the reason <c>&lt;measure&gt;_warning</c>
    /// or <c>&lt;measure&gt;_critical</c> of the worst one, and a message listing every value with its thresholds.
    /// </summary>
    public static ProbeResult Measured(TimeSpan latency, string? what, params IReadOnlyList<ProbeMeasure> measures)
    {
        ArgumentNullException.ThrowIfNull(measures);
        var worst = measures.Count == 0 ? null : measures.MaxBy(m => m.Level);
        var level = worst?.Level ?? ProbeLevel.Ok;
        var reason = level == ProbeLevel.Ok ? null : $"{worst!.Name}_{(level == ProbeLevel.Critical ? "critical" : "warning")}";
        var values = string.Join(", ", measures.Select(m => m.Describe()));
        var message = string.IsNullOrEmpty(what) ? values : $"{what}: {values}";
        return new ProbeResult(level != ProbeLevel.Critical, reason, message, latency) { Level = level, Measures = measures };
    }

    /// <summary>This result with <paramref name="measure"/> added and the level raised to it when it is worse (latency on an http answer).</summary>
    public ProbeResult With(ProbeMeasure measure)
    {
        ArgumentNullException.ThrowIfNull(measure);
        var measures = Measures.Append(measure).ToList();
        if (measure.Level <= Level)
        {
            return this with { Measures = measures, Message = $"{Message}; {measure.Describe()}" };
        }

        var level = measure.Level;
        var reason = $"{measure.Name}_{(level == ProbeLevel.Critical ? "critical" : "warning")}";
        return this with { Success = level != ProbeLevel.Critical, Reason = reason, Message = $"{Message}; {measure.Describe()}", Level = level, Measures = measures };
    }
}
