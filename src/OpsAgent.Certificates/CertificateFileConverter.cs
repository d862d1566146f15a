using System.ComponentModel;
using System.Globalization;

namespace OpsAgent.Certificates;

/// <summary>Turns a glob string into <see cref="CertificateFileOptions"/>.</summary>
public sealed class CertificateFileConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
        => value is string text ? new CertificateFileOptions { Path = text } : base.ConvertFrom(context, culture, value);
}
