using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace OpsAgent.Core.Configuration;

/// <summary>The parts of one configuration file that a file defines as a whole: settings, lists and named entries.</summary>
/// <remarks>
/// Two <c>conf.d</c> files defining the same entry are merged key by key by .NET configuration, so the result is a hybrid
/// that neither file wrote (one file's <c>Path</c>, the other's <c>OnCritical</c>). Comparing files needs to know where an
/// entry starts, which only the options types say: named entries (dictionaries) and lists are one unit each; objects are
/// walked into; keys no options type knows are compared leaf by leaf.
/// </remarks>
internal static class ConfigurationUnits
{
    /// <summary>The units <paramref name="root"/> defines, as configuration paths.</summary>
    /// <param name="root">One file's configuration.</param>
    /// <param name="sections">Section path → options type.</param>
    public static List<string> Of(IConfiguration root, IReadOnlyDictionary<string, Type> sections)
    {
        var units = new List<string>();
        foreach (var child in root.GetChildren())
        {
            Collect(sections.GetValueOrDefault(child.Path), child, sections, units);
        }

        return units;
    }

    private static void Collect(Type? type, IConfigurationSection section, IReadOnlyDictionary<string, Type> sections, List<string> units)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0 || (type is not null && IsUnit(type)))
        {
            units.Add(section.Path);
            return;
        }

        if (type is not null && StrictBinder.IsDictionary(Nullable.GetUnderlyingType(type) ?? type, out _))
        {
            units.AddRange(children.Select(c => c.Path));
            return;
        }

        var properties = type?.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase) ?? [];
        var hasEntries = type?.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => p.GetCustomAttribute<ConfigurationEntriesAttribute>() is not null) ?? false;
        foreach (var child in children)
        {
            if (sections.TryGetValue(child.Path, out var sectionType))
            {
                Collect(sectionType, child, sections, units);
            }
            else if (properties.TryGetValue(child.Key, out var property) && property.GetCustomAttribute<ConfigurationEntriesAttribute>() is null)
            {
                Collect(property.PropertyType, child, sections, units);
            }
            else if (hasEntries)
            {
                units.Add(child.Path);
            }
            else
            {
                Collect(null, child, sections, units);
            }
        }
    }

    private static bool IsUnit(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(string) || underlying.IsPrimitive || underlying.IsEnum || underlying.IsValueType
            || StrictBinder.IsList(underlying, out _) || TypeDescriptor.GetConverter(underlying).CanConvertFrom(typeof(string));
    }
}
