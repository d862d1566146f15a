namespace OpsAgent.Health.Restarts;

/// <summary>
/// A restart target type, selected by its key under <c>Restart</c> (<c>"Unit": "app.service"</c>). The type is one folder:
/// its settings (<typeparamref name="TOptions"/>, validating and describing themselves) and this class, which creates the
/// target, registered with one <see cref="HealthServiceCollectionExtensions.AddRestartTarget{TType, TOptions}"/> line.
/// </summary>
/// <typeparam name="TOptions">The sealed options type holding the key and the type's other settings.</typeparam>
public abstract class RestartTargetType<TOptions> : IRestartTargetFactory
    where TOptions : class, IRestartTargetSettings
{
    /// <summary>The target to restart.</summary>
    protected abstract IRestartTarget Create(TOptions options, RestartOptions restart);

    IRestartTarget IRestartTargetFactory.Create(RestartOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create((TOptions)options.Target!, options);
    }
}
