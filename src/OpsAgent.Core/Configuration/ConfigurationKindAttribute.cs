namespace OpsAgent.Core.Configuration;

/// <summary>
/// Marks the property that holds the settings of an entry's kind (a probe type, a restart target, a backup engine).
/// </summary>
/// <remarks>
/// The kind's settings are written in the same JSON object as the entry's own (<c>"Type": "http", "Url": ...,
/// "Every": "30s"</c>), so the configuration stays flat for operators while each kind owns its options type: the
/// <see cref="StrictBinder"/> asks the registered <see cref="ConfigurationKind"/>s which type binds the rest. The property
/// itself is never a key.
/// </remarks>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigurationKindAttribute : Attribute;
