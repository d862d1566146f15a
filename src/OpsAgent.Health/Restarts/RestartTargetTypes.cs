namespace OpsAgent.Health.Restarts;

/// <summary>The registered restart target types by key (<c>Unit</c>, <c>Container</c>, ...); creates a probe's target.</summary>
/// <param name="types">Each key, its options type and its implementation, in registration order.</param>
internal sealed class RestartTargetTypes(IEnumerable<(string Key, Type OptionsType, IRestartTargetType Type)> types) : IRestartTargetFactory
{
    private readonly Dictionary<Type, IRestartTargetType> _byOptions = types.ToDictionary(t => t.OptionsType, t => t.Type);

    /// <summary>The keys, in registration order.</summary>
    public IReadOnlyList<string> Keys { get; } = [.. types.Select(t => t.Key)];

    /// <summary>"Unit, Container or WindowsService", for messages.</summary>
    public string Listed() => Keys.Count < 2 ? string.Join("", Keys) : $"{string.Join(", ", Keys.SkipLast(1))} or {Keys[^1]}";

    /// <summary>The type whose settings <paramref name="target"/> is.</summary>
    public IRestartTargetType For(object target) => _byOptions[target.GetType()];

    /// <summary>What <paramref name="options"/> restarts, for logs and <c>/status</c>.</summary>
    public string Describe(RestartOptions options) => options.Target is { } target ? For(target).Describe(target) : "";

    public IRestartTarget Create(RestartOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return For(options.Target ?? throw new InvalidOperationException("the restart target was not validated")).Create(options.Target, options);
    }
}
