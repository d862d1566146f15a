using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Restarts;

/// <summary>
/// A restart target type, selected by its key under <c>Restart</c> (<c>"Unit": "app.service"</c>): its settings
/// (<typeparamref name="TOptions"/>), their validation, description, host check and the target itself. One folder per
/// type, registered with one <see cref="HealthServiceCollectionExtensions.AddRestartTarget{TType, TOptions}"/> line.
/// </summary>
/// <typeparam name="TOptions">The sealed options type holding the key and the type's other settings.</typeparam>
public abstract class RestartTargetType<TOptions> : IRestartTargetType
    where TOptions : class
{
    /// <summary>Adds the settings' problems at <c>{path}:Key</c>; <paramref name="path"/> is the <c>Restart</c> path.</summary>
    protected virtual void Validate(string path, TOptions options, ValidationCollector errors)
    {
    }

    /// <summary>What is restarted, for logs and <c>/status</c>.</summary>
    protected abstract string Describe(TOptions options);

    /// <summary>What <c>check-config</c> verifies on this host; nothing by default.</summary>
    protected virtual Task CheckHostAsync(string path, TOptions options, HostCheckContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The target to restart.</summary>
    protected abstract IRestartTarget Create(TOptions options, RestartOptions restart);

    void IRestartTargetType.Validate(string path, object target, ValidationCollector errors) => Validate(path, (TOptions)target, errors);

    string IRestartTargetType.Describe(object target) => Describe((TOptions)target);

    Task IRestartTargetType.CheckHostAsync(string path, object target, HostCheckContext context, CancellationToken cancellationToken)
        => CheckHostAsync(path, (TOptions)target, context, cancellationToken);

    IRestartTarget IRestartTargetType.Create(object target, RestartOptions restart) => Create((TOptions)target, restart);
}
