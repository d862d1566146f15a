using System.ComponentModel;
using System.Globalization;

namespace OpsAgent.Backups.Retention;

/// <summary>Lets the configuration binder read a <see cref="RetentionDuration"/> from its text.</summary>
internal sealed class RetentionDurationConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
        => value is string text ? RetentionDuration.Parse(text) : base.ConvertFrom(context, culture, value);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType)
        => value is RetentionDuration d && destinationType == typeof(string) ? d.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
