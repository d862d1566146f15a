using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Checks;

/// <summary>
/// A probe type: its settings (<typeparamref name="TOptions"/>, written beside the probe's own keys), their validation,
/// description, host check and the check itself. One folder per type, registered with one
/// <see cref="HealthServiceCollectionExtensions.AddProbeType{TType, TOptions}"/> line.
/// </summary>
/// <typeparam name="TOptions">The sealed options type of the type's settings.</typeparam>
public abstract class ProbeType<TOptions> : IProbeCheck
    where TOptions : class
{
    Type IProbeCheck.OptionsType => typeof(TOptions);

    /// <summary>Adds the settings' problems at <c>{path}:Key</c>; <paramref name="path"/> is the probe's path.</summary>
    protected virtual void Validate(string path, TOptions options, ValidationCollector errors)
    {
    }

    /// <summary>What is probed, for job descriptions.</summary>
    protected abstract string Describe(TOptions options);

    /// <summary>What <c>check-config</c> verifies on this host; nothing by default.</summary>
    protected virtual Task CheckHostAsync(string path, TOptions options, HostCheckContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once; <paramref name="cancellationToken"/> carries the probe's timeout. Never throws for target failures.</summary>
    /// <param name="probe">The probe's name.</param>
    /// <param name="probeOptions">The probe's own settings (<c>Timeout</c>, ...).</param>
    /// <param name="options">The type's settings.</param>
    /// <param name="cancellationToken">The probe's timeout and the agent's stop.</param>
    protected abstract Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, TOptions options, CancellationToken cancellationToken);

    void IProbeCheck.Validate(string path, object settings, ValidationCollector errors) => Validate(path, (TOptions)settings, errors);

    string IProbeCheck.Describe(object settings) => Describe((TOptions)settings);

    Task IProbeCheck.CheckHostAsync(string path, object settings, HostCheckContext context, CancellationToken cancellationToken)
        => CheckHostAsync(path, (TOptions)settings, context, cancellationToken);

    Task<ProbeResult> IProbeCheck.CheckAsync(string probe, ProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CheckAsync(probe, options, (TOptions)options.Settings!, cancellationToken);
    }
}
