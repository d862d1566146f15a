namespace OpsAgent.Health.Checks;

/// <summary>
/// A probe type's check. The type is one folder: its settings (<typeparamref name="TOptions"/>, written beside the probe's
/// own keys, validating and describing themselves) and this class, registered with one
/// <see cref="HealthServiceCollectionExtensions.AddProbeType{TType, TOptions}"/> line.
/// </summary>
/// <typeparam name="TOptions">The sealed options type of the type's settings.</typeparam>
public abstract class ProbeType<TOptions> : IProbeCheck
    where TOptions : class, IProbeSettings
{
    /// <summary>Runs once; <paramref name="cancellationToken"/> carries the probe's timeout. Never throws for target failures.</summary>
    /// <param name="probe">The probe's name.</param>
    /// <param name="probeOptions">The probe's own settings (<c>Timeout</c>, ...).</param>
    /// <param name="options">The type's settings.</param>
    /// <param name="cancellationToken">The probe's timeout and the agent's stop.</param>
    protected abstract Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, TOptions options, CancellationToken cancellationToken);

    Task<ProbeResult> IProbeCheck.CheckAsync(string probe, ProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CheckAsync(probe, options, (TOptions)options.Settings!, cancellationToken);
    }
}
