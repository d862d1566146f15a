namespace OpsAgent.Health.Checks;

/// <summary>The registered probe types' checks by name (<c>http</c>, <c>tcp</c>, ...).</summary>
/// <param name="types">Each name and its check.</param>
internal sealed class ProbeTypes(IEnumerable<KeyValuePair<string, IProbeCheck>> types)
{
    private readonly Dictionary<string, IProbeCheck> _types = new(types, StringComparer.OrdinalIgnoreCase);

    /// <summary>The names.</summary>
    public IReadOnlyCollection<string> Names => _types.Keys;

    /// <summary>The check of the type named <paramref name="name"/>, or null.</summary>
    public IProbeCheck? Find(string? name) => name is not null && _types.TryGetValue(name, out var type) ? type : null;
}
