using System.ComponentModel;
using System.Globalization;

namespace OpsAgent.Core.Secrets;

/// <summary>Converts a plain JSON string into an inline <see cref="SecretReference"/>.</summary>
public sealed class SecretReferenceConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType)
        => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
        => value is string s ? new SecretReference { Value = s } : base.ConvertFrom(context, culture, value);
}
