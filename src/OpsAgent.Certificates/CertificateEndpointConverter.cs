using System.ComponentModel;
using System.Globalization;

namespace OpsAgent.Certificates;

/// <summary>Parses <c>"host:port"</c> (IPv6 as <c>[::1]:443</c>) into <see cref="CertificateEndpointOptions"/>.</summary>
public sealed class CertificateEndpointConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        if (value is not string text)
        {
            return base.ConvertFrom(context, culture, value);
        }

        text = text.Trim();
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var end = text.IndexOf(']', StringComparison.Ordinal);
            if (end < 0)
            {
                throw new FormatException("expected [address]:port");
            }

            host = text[1..end];
            if (end + 1 < text.Length)
            {
                port = text[(end + 1)..].TrimStart(':');
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw new FormatException("expected host:port");
        }

        int? number = null;
        if (port is not null)
        {
            number = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : throw new FormatException("the port is not a number");
        }

        return new CertificateEndpointOptions { Host = host, Port = number };
    }
}
