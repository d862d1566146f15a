namespace OpsAgent.Backups.Copies;

/// <summary>The registered copy target types by name.</summary>
internal sealed class CopyTargetTypes(IEnumerable<CopyTargetRegistration> registrations)
{
    private readonly List<CopyTargetRegistration> _registrations = [.. registrations];

    /// <summary>The names, in registration order.</summary>
    public IReadOnlyList<string> Names => [.. _registrations.Select(r => r.Name)];

    /// <summary>The type registered as <paramref name="name"/> (any case), or null.</summary>
    public CopyTargetRegistration? Find(string? name)
        => _registrations.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
}
