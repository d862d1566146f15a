namespace OpsAgent.Health.Checks;

/// <summary>The registered probe types by name (<c>http</c>, <c>tcp</c>, ...), in registration order.</summary>
/// <param name="types">Each name and its implementation, in registration order.</param>
internal sealed class ProbeTypes(IEnumerable<KeyValuePair<string, IProbeCheck>> types)
{
    private readonly Dictionary<string, IProbeCheck> _types = new(types, StringComparer.OrdinalIgnoreCase);

    /// <summary>The names, in registration order.</summary>
    public IReadOnlyList<string> Names { get; } = [.. types.Select(t => t.Key)];

    /// <summary>The type named <paramref name="name"/>, or null.</summary>
    public IProbeCheck? Find(string? name) => name is not null && _types.TryGetValue(name, out var type) ? type : null;

    /// <summary>"http, tcp, ... or systemd", for messages.</summary>
    public string Listed() => Names.Count < 2 ? string.Join("", Names) : $"{string.Join(", ", Names.SkipLast(1))} or {Names[^1]}";
}
