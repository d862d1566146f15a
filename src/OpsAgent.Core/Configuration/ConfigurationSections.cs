namespace OpsAgent.Core.Configuration;

/// <summary>The bound sections of one load, for <see cref="IConfigurationCheck"/>s.</summary>
public sealed class ConfigurationSections
{
    private readonly IReadOnlyDictionary<Type, object> _sections;

    internal ConfigurationSections(IReadOnlyDictionary<Type, object> sections) => _sections = sections;

    /// <summary>A registered section's options, or null when <typeparamref name="T"/> is not registered in this process.</summary>
    public T? Find<T>() where T : class => _sections.TryGetValue(typeof(T), out var value) ? value as T : null;
}
