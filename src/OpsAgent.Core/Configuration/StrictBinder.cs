using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace OpsAgent.Core.Configuration;

/// <summary>Binds a configuration section to an options object, collecting every conversion error and unknown key with its path.</summary>
/// <remarks>
/// <see cref="ConfigurationBinder"/> stops at the first bad value and silently ignores misspelt keys; an operator who writes
/// <c>"Shedule"</c> would get a job that never runs. This binder visits every key and reports all problems at once, which is
/// what <c>check-config</c> and a rejected reload must show.
/// </remarks>
public static class StrictBinder
{
    /// <summary>Creates a <typeparamref name="T"/> from <paramref name="section"/>, appending problems to <paramref name="errors"/>.</summary>
    /// <remarks><paramref name="kinds"/> bind the settings of entries with a <see cref="ConfigurationKindAttribute"/> property.</remarks>
    public static T Bind<T>(IConfigurationSection section, ICollection<ConfigError> errors, IEnumerable<ConfigurationKind>? kinds = null)
        where T : class, new()
        => (T)BindObject(typeof(T), section, errors, [.. kinds ?? []], new T());

    /// <summary>The keys <paramref name="type"/> binds itself (its settable properties but entries and kind settings).</summary>
    internal static Dictionary<string, PropertyInfo> Keys(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<ConfigurationEntriesAttribute>() is null
            && p.GetCustomAttribute<ConfigurationKindAttribute>() is null)
        .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static object BindObject(Type type, IConfigurationSection section, ICollection<ConfigError> errors, IReadOnlyList<ConfigurationKind> kinds,
        object? instance = null, bool reportUnknown = true)
    {
        instance ??= Activator.CreateInstance(type)!;
        var properties = Keys(type);
        var kindProperty = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).SingleOrDefault(p => p.GetCustomAttribute<ConfigurationKindAttribute>() is not null);
        var entryKinds = kindProperty is null ? [] : kinds.Where(k => k.EntryType == type).ToList();
        var selected = entryKinds.Count == 0 ? null : ConfigurationKind.Select(entryKinds, section);
        // Keys of the selected kind are bound into its settings below; while no kind is selected (none named, an unknown
        // one), keys some kind knows are left to the validator's one message about the kind instead of one per key.
        var kindKeys = (selected is null ? entryKinds.SelectMany(k => Keys(k.SettingsType).Keys) : Keys(selected.SettingsType).Keys)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var entries = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .SingleOrDefault(p => p.GetCustomAttribute<ConfigurationEntriesAttribute>() is not null);
        IDictionary? entryValues = null;
        var entryType = typeof(object);
        if (entries is not null && IsDictionary(entries.PropertyType, out entryType))
        {
            entryValues = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), entryType), StringComparer.OrdinalIgnoreCase)!;
            entries.SetValue(instance, entryValues);
        }

        if (section.Value is { Length: > 0 } scalar && !section.GetChildren().Any())
        {
            errors.Add(new ConfigError(section.Path, $"expected an object, got the value '{Truncate(scalar)}'"));
            return instance;
        }

        if (!TryChildren(section, errors, out var children))
        {
            return instance;
        }

        foreach (var child in children)
        {
            if (!properties.TryGetValue(child.Key, out var property) && entryValues is not null)
            {
                BindEntry(entryType, child, errors, kinds, entryValues);
                continue;
            }

            if (property is null)
            {
                if (reportUnknown && !kindKeys.Contains(child.Key))
                {
                    var known = properties.Keys.Concat(selected is null ? [] : kindKeys).Order(StringComparer.Ordinal);
                    errors.Add(new ConfigError(child.Path, $"unknown setting (known: {string.Join(", ", known)})"));
                }

                continue;
            }

            if (TryBindValue(property.PropertyType, child, errors, kinds, out var value))
            {
                property.SetValue(instance, value);
            }
        }

        if (selected is not null)
        {
            kindProperty!.SetValue(instance, BindObject(selected.SettingsType, section, errors, kinds, reportUnknown: false));
        }

        return instance;
    }

    private static bool TryBindValue(Type type, IConfigurationSection section, ICollection<ConfigError> errors, IReadOnlyList<ConfigurationKind> kinds, out object? value)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var hasChildren = section.GetChildren().Any();

        if (section.Value is null && !hasChildren)
        {
            // JSON null or an empty object: leave the default.
            return false;
        }

        var converter = TypeDescriptor.GetConverter(underlying);
        var isScalarType = underlying == typeof(string) || underlying == typeof(TimeSpan) || underlying.IsPrimitive
            || underlying.IsEnum || underlying == typeof(decimal) || underlying == typeof(DateTimeOffset);

        if (section.Value is not null && !hasChildren)
        {
            if (isScalarType || converter.CanConvertFrom(typeof(string)))
            {
                return TryConvertScalar(underlying, converter, section, errors, out value);
            }

            if (IsList(underlying, out var single) && section.Value.Length == 0)
            {
                return false;
            }

            // "ExpectStatus": 200 means [200]: a one-element list may be written as its element.
            if (IsList(underlying, out single) && (single == typeof(string) || single.IsPrimitive || single.IsEnum))
            {
                if (!TryConvertScalar(single, TypeDescriptor.GetConverter(single), section, errors, out var element))
                {
                    return false;
                }

                var one = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(single))!;
                one.Add(element);
                if (underlying.IsArray)
                {
                    var array = Array.CreateInstance(single, 1);
                    one.CopyTo(array, 0);
                    value = array;
                }
                else
                {
                    value = one;
                }

                return true;
            }

            errors.Add(new ConfigError(section.Path, $"expected {Describe(underlying)}, got the value '{Truncate(section.Value)}'"));
            return false;
        }

        if (isScalarType)
        {
            errors.Add(new ConfigError(section.Path, $"expected {Describe(underlying)}, got an object or list"));
            return false;
        }

        if (IsDictionary(underlying, out var valueType))
        {
            var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.OrdinalIgnoreCase)!;
            if (!TryChildren(section, errors, out var children))
            {
                return false;
            }

            foreach (var child in children)
            {
                BindEntry(valueType, child, errors, kinds, dictionary);
            }

            value = dictionary;
            return true;
        }

        if (IsList(underlying, out var elementType))
        {
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
            if (!TryChildren(section, errors, out var items))
            {
                return false;
            }

            foreach (var child in items.OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add(new ConfigError(child.Path, $"expected a list, found the key '{child.Key}'"));
                    continue;
                }

                if (TryBindValue(elementType, child, errors, kinds, out var item))
                {
                    list.Add(item);
                }
            }

            if (underlying.IsArray)
            {
                var array = Array.CreateInstance(elementType, list.Count);
                list.CopyTo(array, 0);
                value = array;
            }
            else
            {
                value = list;
            }

            return true;
        }

        value = BindObject(underlying, section, errors, kinds);
        return true;
    }

    private static void BindEntry(Type valueType, IConfigurationSection child, ICollection<ConfigError> errors, IReadOnlyList<ConfigurationKind> kinds, IDictionary dictionary)
    {
        if (TryBindValue(valueType, child, errors, kinds, out var item))
        {
            dictionary[child.Key] = item;
        }
        else if (child.Value is null && !child.GetChildren().Any() && !valueType.IsValueType)
        {
            // "name": {} declares an entry with all defaults.
            dictionary[child.Key] = valueType == typeof(string) ? string.Empty : Activator.CreateInstance(valueType);
        }
    }

    private static bool TryConvertScalar(Type type, TypeConverter converter, IConfigurationSection section, ICollection<ConfigError> errors, out object? value)
    {
        var text = section.Value!;
        value = null;
        if (type == typeof(string))
        {
            value = text;
            return true;
        }

        if (type == typeof(TimeSpan))
        {
            if (Duration.TryParse(text, out var span))
            {
                value = span;
                return true;
            }

            errors.Add(new ConfigError(section.Path, Duration.Problem(Truncate(text))));
            return false;
        }

        if (type == typeof(bool))
        {
            if (bool.TryParse(text, out var b))
            {
                value = b;
                return true;
            }

            errors.Add(new ConfigError(section.Path, $"'{Truncate(text)}' is not true or false"));
            return false;
        }

        if (type.IsEnum)
        {
            if (Enum.TryParse(type, text, ignoreCase: true, out var e) && Enum.IsDefined(type, e!))
            {
                value = e;
                return true;
            }

            errors.Add(new ConfigError(section.Path, $"'{Truncate(text)}' is not one of {string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))}"));
            return false;
        }

        try
        {
            value = converter.ConvertFromInvariantString(text);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A type with its own converter says why (the grammar it expects); the framework's say only "not valid".
            var why = ex is FormatException && converter.GetType().Assembly == type.Assembly && type.Assembly != typeof(int).Assembly ? $": {ex.Message}" : string.Empty;
            errors.Add(new ConfigError(section.Path, $"'{Truncate(text)}' is not {Describe(type)}{why}"));
            return false;
        }
    }

    internal static bool IsDictionary(Type type, out Type valueType)
    {
        valueType = typeof(object);
        if (type.IsGenericType && type.GetGenericArguments() is [var key, var val] && key == typeof(string)
            && (type.GetGenericTypeDefinition() == typeof(Dictionary<,>) || type.GetGenericTypeDefinition() == typeof(IDictionary<,>)
                || type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
        {
            valueType = val;
            return true;
        }

        return false;
    }

    internal static bool IsList(Type type, out Type elementType)
    {
        elementType = typeof(object);
        if (type.IsArray)
        {
            elementType = type.GetElementType()!;
            return true;
        }

        if (type.IsGenericType && type.GetGenericArguments() is [var element]
            && (type.GetGenericTypeDefinition() == typeof(List<>) || type.GetGenericTypeDefinition() == typeof(IList<>)
                || type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) || type.GetGenericTypeDefinition() == typeof(IEnumerable<>)))
        {
            elementType = element;
            return true;
        }

        return false;
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(double) || type == typeof(decimal) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a duration",
        _ when type == typeof(string) => "a string",
        _ when type.GetCustomAttribute<DescriptionAttribute>() is { } d => d.Description,
        _ => $"a {type.Name}",
    };

    /// <summary>The most entries, keys or list items one object may hold.</summary>
    /// <remarks>
    /// Microsoft.Extensions.Configuration lists a section's children by scanning every key of its provider, so binding
    /// grows with the square of the entries: 20,000 probes took minutes to refuse. No host runs a thousand jobs of one kind.
    /// </remarks>
    internal const int MaxChildren = 1000;

    /// <summary>The children of <paramref name="section"/>, listed once; false (and an error at its path) beyond <see cref="MaxChildren"/>.</summary>
    private static bool TryChildren(IConfigurationSection section, ICollection<ConfigError> errors, out List<IConfigurationSection> children)
    {
        children = [.. section.GetChildren()];
        if (children.Count <= MaxChildren)
        {
            return true;
        }

        errors.Add(new ConfigError(section.Path, string.Create(CultureInfo.InvariantCulture,
            $"holds {children.Count} entries; at most {MaxChildren} are supported (split the host's configuration, or generate fewer)")));
        return false;
    }

    /// <summary>A value as error messages quote it: at most 80 characters.</summary>
    public static string Truncate(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
