namespace OpsAgent.Health.Restarts;

/// <summary>The registered restart target types by options type; creates a probe's target.</summary>
/// <param name="types">Each options type and the type that creates its target.</param>
internal sealed class RestartTargetTypes(IEnumerable<(Type OptionsType, IRestartTargetFactory Type)> types) : IRestartTargetFactory
{
    private readonly Dictionary<Type, IRestartTargetFactory> _byOptions = types.ToDictionary(t => t.OptionsType, t => t.Type);

    public IRestartTarget Create(RestartOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var target = options.Target ?? throw new InvalidOperationException("the restart target was not validated");
        return _byOptions[target.GetType()].Create(options);
    }
}
