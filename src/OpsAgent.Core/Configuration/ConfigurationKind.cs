using Microsoft.Extensions.Configuration;

namespace OpsAgent.Core.Configuration;

/// <summary>One kind an entry can be: its name and the options type that binds its settings.</summary>
/// <param name="EntryType">The entry options type holding a <see cref="ConfigurationKindAttribute"/> property (<c>ProbeOptions</c>).</param>
/// <param name="Discriminator">The key whose value names the kind (<c>Type</c>, <c>Engine</c>); null when the kind is the one
/// registered key the entry contains (a restart target's <c>"Unit": "x"</c>).</param>
/// <param name="Name">The kind's name: the discriminator's value, or the key that selects it.</param>
/// <param name="SettingsType">The sealed options type of the kind's settings.</param>
public sealed record ConfigurationKind(Type EntryType, string? Discriminator, string Name, Type SettingsType)
{
    /// <summary>
    /// The kind <paramref name="entry"/> selects among <paramref name="kinds"/> (all of one entry type), or null when it
    /// names none, an unknown one, or (by key) more than one: the entry's validator says which.
    /// </summary>
    public static ConfigurationKind? Select(IReadOnlyList<ConfigurationKind> kinds, IConfigurationSection entry)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentNullException.ThrowIfNull(entry);
        if (kinds.Count == 0)
        {
            return null;
        }

        if (kinds[0].Discriminator is { } discriminator)
        {
            var name = entry[discriminator];
            return kinds.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));
        }

        var present = kinds.Where(k => entry.GetSection(k.Name).Exists()).Take(2).ToList();
        return present.Count == 1 ? present[0] : null;
    }

    /// <summary>
    /// What to say when an entry's discriminator names no registered kind: <c>required: one of a, b</c> when it is
    /// missing, <c>'x' is not one of a, b</c> otherwise.
    /// </summary>
    /// <param name="name">The discriminator's value as written.</param>
    /// <param name="names">The registered kinds' names, in registration order.</param>
    public static string Unknown(string? name, IEnumerable<string> names)
    {
        var listed = string.Join(", ", names);
        return string.IsNullOrWhiteSpace(name) ? $"required: one of {listed}" : $"'{StrictBinder.Truncate(name)}' is not one of {listed}";
    }
}
