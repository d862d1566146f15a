using System.Buffers.Binary;
using System.Text;

namespace OpsAgent.Journald;

/// <summary>Encodes journal entries in the native protocol (systemd's JOURNAL_NATIVE_PROTOCOL document).</summary>
/// <remarks>
/// A value without a newline is sent as <c>NAME=value\n</c>; a value with one as <c>NAME\n</c>, its length as a
/// little-endian 64-bit integer, the bytes, and <c>\n</c>. Field names may hold only A-Z, 0-9 and '_', may not start with
/// '_' (those are trusted fields journald sets itself) or a digit, and are at most 64 characters.
/// </remarks>
public static class JournalFields
{
    /// <summary>The longest field name journald accepts.</summary>
    public const int MaxNameLength = 64;

    /// <summary>
    /// Turns a property name into a valid field name: camel case becomes snake case (<c>SourceContext</c> →
    /// <c>SOURCE_CONTEXT</c>), other characters become '_', leading '_' and digits are dropped. Returns null when nothing is left.
    /// </summary>
    public static string? SanitizeName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterLower(c))
            {
                sb.Append(char.ToUpperInvariant(c));
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                var prevLower = i > 0 && (char.IsAsciiLetterLower(name[i - 1]) || char.IsAsciiDigit(name[i - 1]));
                var nextLower = i + 1 < name.Length && char.IsAsciiLetterLower(name[i + 1]) && i > 0 && char.IsAsciiLetterUpper(name[i - 1]);
                if ((prevLower || nextLower) && sb.Length > 0 && sb[^1] != '_')
                {
                    sb.Append('_');
                }

                sb.Append(c);
            }
            else if (char.IsAsciiDigit(c))
            {
                sb.Append(c);
            }
            else if (sb.Length > 0 && sb[^1] != '_')
            {
                sb.Append('_');
            }
        }

        var start = 0;
        while (start < sb.Length && (sb[start] == '_' || char.IsAsciiDigit(sb[start])))
        {
            start++;
        }

        var result = sb.ToString(start, sb.Length - start).TrimEnd('_');
        if (result.Length > MaxNameLength)
        {
            result = result[..MaxNameLength].TrimEnd('_');
        }

        return result.Length == 0 ? null : result;
    }

    /// <summary>Encodes fields into one datagram; names must already be valid.</summary>
    public static byte[] Encode(IReadOnlyList<KeyValuePair<string, byte[]>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[8];
        foreach (var (name, value) in fields)
        {
            buffer.Write(Encoding.ASCII.GetBytes(name));
            if (Array.IndexOf(value, (byte)'\n') < 0)
            {
                buffer.WriteByte((byte)'=');
                buffer.Write(value);
            }
            else
            {
                buffer.WriteByte((byte)'\n');
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)value.Length);
                buffer.Write(length);
                buffer.Write(value);
            }

            buffer.WriteByte((byte)'\n');
        }

        return buffer.ToArray();
    }

    /// <summary>The encoded size of the fields.</summary>
    public static long EncodedSize(IReadOnlyList<KeyValuePair<string, byte[]>> fields)
        => fields.Sum(f => f.Key.Length + 1 + f.Value.Length + 1 + (Array.IndexOf(f.Value, (byte)'\n') < 0 ? 0 : 8));

    /// <summary>
    /// Returns <paramref name="fields"/> itself when the entry fits <paramref name="maxBytes"/>; otherwise a copy whose
    /// largest values are shrunk until it fits, each cut value ending with a marker that says how much was removed,
    /// plus <c>OPSAGENT_TRUNCATED=1</c>.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> Truncate(IReadOnlyList<KeyValuePair<string, byte[]>> fields, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var excess = EncodedSize(fields) - maxBytes + 64;
        if (excess <= 64)
        {
            return fields;
        }

        var result = fields.ToList();

        while (excess > 0)
        {
            var index = 0;
            for (var i = 1; i < result.Count; i++)
            {
                if (result[i].Value.Length > result[index].Value.Length)
                {
                    index = i;
                }
            }

            var value = result[index].Value;
            if (value.Length <= 128)
            {
                break;
            }

            var keep = (int)Math.Max(64, value.Length - excess - 48);
            while (keep > 0 && (value[keep] & 0xC0) == 0x80)
            {
                keep--;
            }

            var marker = Encoding.UTF8.GetBytes($"…[truncated {value.Length - keep} bytes]");
            var cut = new byte[keep + marker.Length];
            Array.Copy(value, cut, keep);
            marker.CopyTo(cut, keep);
            excess -= value.Length - cut.Length;
            result[index] = new(result[index].Key, cut);
        }

        result.Add(new("OPSAGENT_TRUNCATED", "1"u8.ToArray()));
        return result;
    }

    /// <summary>Decodes a native-protocol datagram (both field forms) into name/value pairs, in order.</summary>
    /// <exception cref="FormatException">The datagram is malformed.</exception>
    public static List<KeyValuePair<string, string>> Decode(ReadOnlySpan<byte> datagram)
    {
        var result = new List<KeyValuePair<string, string>>();
        while (!datagram.IsEmpty)
        {
            var nl = datagram.IndexOf((byte)'\n');
            var eq = datagram.IndexOf((byte)'=');
            if (nl < 0)
            {
                throw new FormatException("field without terminating newline");
            }

            if (eq >= 0 && eq < nl)
            {
                result.Add(new(Encoding.ASCII.GetString(datagram[..eq]), Encoding.UTF8.GetString(datagram[(eq + 1)..nl])));
                datagram = datagram[(nl + 1)..];
                continue;
            }

            var name = Encoding.ASCII.GetString(datagram[..nl]);
            datagram = datagram[(nl + 1)..];
            if (datagram.Length < 8)
            {
                throw new FormatException($"field {name}: missing length");
            }

            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(datagram);
            datagram = datagram[8..];
            if (datagram.Length < length + 1 || datagram[length] != (byte)'\n')
            {
                throw new FormatException($"field {name}: length {length} exceeds the datagram");
            }

            result.Add(new(name, Encoding.UTF8.GetString(datagram[..length])));
            datagram = datagram[(length + 1)..];
        }

        return result;
    }
}
