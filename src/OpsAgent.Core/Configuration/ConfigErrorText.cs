using System.Globalization;
using System.Text;

namespace OpsAgent.Core.Configuration;

/// <summary>Makes a configuration error safe to print: control characters escaped, length bounded.</summary>
/// <remarks>
/// Messages quote the values they refuse. A value with a NUL, an escape sequence or 100 kB of text would otherwise reach
/// the journal, a terminal running <c>check-config</c> and <c>/status</c> as it is: a NUL cuts journald fields, ESC
/// sequences repaint the operator's terminal.
/// </remarks>
internal static class ConfigErrorText
{
    public static string Printable(string text, int maxLength)
    {
        if (!text.Any(char.IsControl) && text.Length <= maxLength)
        {
            return text;
        }

        var result = new StringBuilder(Math.Min(text.Length, maxLength + 8));
        foreach (var c in text)
        {
            if (result.Length >= maxLength)
            {
                result.Append("...");
                break;
            }

            if (char.IsControl(c))
            {
                result.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
