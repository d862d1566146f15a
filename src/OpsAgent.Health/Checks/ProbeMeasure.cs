namespace OpsAgent.Health.Checks;

/// <summary>A value a probe measured, with the thresholds it was judged against (<c>opsagent_probe_value{measure}</c>).</summary>
/// <param name="Name">The measure (<c>used_ratio</c>, <c>free_bytes</c>, <c>latency_seconds</c>...): a metric label, snake case, the unit last.</param>
/// <param name="Value">The value, in the unit the name says (ratios 0-1, bytes, seconds).</param>
/// <param name="Warning">The warning threshold, if one is set.</param>
/// <param name="Critical">The critical threshold, if one is set.</param>
/// <param name="LowerIsWorse">True when the thresholds are minimums (free bytes), false when maximums (a used ratio).</param>
public sealed record ProbeMeasure(string Name, double Value, double? Warning = null, double? Critical = null, bool LowerIsWorse = false)
{
    /// <summary>The level this value is at against its own thresholds.</summary>
    public ProbeLevel Level => Past(Critical) ? ProbeLevel.Critical : Past(Warning) ? ProbeLevel.Warning : ProbeLevel.Ok;

    private bool Past(double? threshold) => threshold is { } t && (LowerIsWorse ? Value < t : Value >= t);

    /// <summary>The value and its thresholds in words (<c>used_ratio 0.912 (warning 0.8, critical 0.9)</c>).</summary>
    public string Describe()
    {
        var limits = new List<string>(2);
        if (Warning is { } w)
        {
            limits.Add($"warning {(LowerIsWorse ? "<" : "≥")} {Format(w)}");
        }

        if (Critical is { } c)
        {
            limits.Add($"critical {(LowerIsWorse ? "<" : "≥")} {Format(c)}");
        }

        return limits.Count == 0 ? $"{Name} {Format(Value)}" : $"{Name} {Format(Value)} ({string.Join(", ", limits)})";
    }

    /// <summary>A value as the journal and the CLI print it: ratios as percent, bytes with a binary unit, seconds with 3 decimals.</summary>
    public string Format(double value) => Name.EndsWith("_ratio", StringComparison.Ordinal) ? $"{value * 100:0.#}%"
        : Name.EndsWith("_bytes", StringComparison.Ordinal) ? Core.Text.ByteSize.Format(value)
        : Name.EndsWith("_seconds", StringComparison.Ordinal) ? $"{value:0.###}s"
        : value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
