using System.ComponentModel;
using System.Globalization;

namespace OpsAgent.Core.Text;

/// <summary>A size in bytes, written in configuration as a number of bytes or with a unit (<c>1.5GiB</c>, <c>500MB</c>, <c>64k</c>).</summary>
/// <remarks>Units as <c>systemd.resource-control</c> and <c>df -h</c> read them: K, M, G, T are powers of 1024 with or without <c>iB</c>; <c>kB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c> powers of 1000.</remarks>
[TypeConverter(typeof(ByteSizeConverter))]
[Description("a size: bytes, or a number with K, M, G, T (1024) or kB, MB, GB, TB (1000), e.g. 1.5GiB")]
public readonly record struct ByteSize(long Bytes)
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("kB", 1000L), ("MB", 1000_000L), ("GB", 1000_000_000L), ("TB", 1000_000_000_000L),
        ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("T", 1L << 40), ("k", 1L << 10), ("B", 1L),
    ];

    /// <summary>Reads <paramref name="text"/>; false for anything that is not a non-negative size below 8 EiB.</summary>
    public static bool TryParse(string? text, out ByteSize size)
    {
        size = default;
        var s = text?.Trim();
        if (string.IsNullOrEmpty(s) || s.Length > 40)
        {
            return false;
        }

        var factor = 1L;
        foreach (var (suffix, f) in Units)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = f;
                s = s[..^suffix.Length].TrimEnd();
                break;
            }
        }

        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var bytes = number * factor;
        if (bytes > long.MaxValue)
        {
            return false;
        }

        size = new ByteSize((long)decimal.Round(bytes));
        return true;
    }

    /// <summary>Bytes with a binary unit, as the journal and the CLI print them (<c>1.50 GiB</c>).</summary>
    public static string Format(double bytes) => Math.Abs(bytes) switch
    {
        >= 1L << 40 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 40):0.00} TiB"),
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B"),
    };

    /// <inheritdoc />
    public override string ToString() => Format(Bytes);
}

/// <summary>Lets the configuration binder read <see cref="ByteSize"/> from its text.</summary>
internal sealed class ByteSizeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
        => value is string text
            ? ByteSize.TryParse(text, out var size) ? size : throw new FormatException($"'{text}' is not a size (bytes, or a number with K, M, G, T, kB, MB, GB, TB)")
            : base.ConvertFrom(context, culture, value);
}
