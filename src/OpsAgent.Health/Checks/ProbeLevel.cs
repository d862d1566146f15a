namespace OpsAgent.Health.Checks;

/// <summary>How bad a probe attempt is: a pass is <see cref="Ok"/>, a failure <see cref="Critical"/>; a measuring type may say <see cref="Warning"/>.</summary>
public enum ProbeLevel
{
    /// <summary>Within every threshold (or the check passed).</summary>
    Ok = 0,

    /// <summary>Past a warning threshold: reported, not a failure.</summary>
    Warning = 1,

    /// <summary>Past a critical threshold (or the check failed): a failed attempt.</summary>
    Critical = 2,
}
