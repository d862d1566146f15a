using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Parsing;

namespace OpsAgent.Journald;

/// <summary>Renders a log event's message for people: strings without quotes, lists comma-separated.</summary>
/// <remarks>Serilog's default rendering quotes strings (<c>"sims-db"</c>), which reads badly in <c>journalctl</c> and is not what grep patterns expect.</remarks>
public static class MessageRenderer
{
    /// <summary>Renders the message.</summary>
    public static string Render(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var sb = new StringBuilder();
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is TextToken text)
            {
                sb.Append(text.Text);
            }
            else if (token is PropertyToken property)
            {
                if (logEvent.Properties.TryGetValue(property.PropertyName, out var value))
                {
                    sb.Append(RenderValue(value, property.Format));
                }
                else
                {
                    sb.Append(property.ToString());
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>Renders one property value.</summary>
    public static string RenderValue(LogEventPropertyValue value, string? format = null) => value switch
    {
        ScalarValue { Value: null } => string.Empty,
        ScalarValue { Value: string s } => s,
        ScalarValue { Value: DateTimeOffset d } => d.ToString(format ?? "O", CultureInfo.InvariantCulture),
        ScalarValue { Value: DateTime d } => d.ToString(format ?? "O", CultureInfo.InvariantCulture),
        ScalarValue { Value: IFormattable f } => f.ToString(format, CultureInfo.InvariantCulture),
        ScalarValue { Value: var other } => other.ToString() ?? string.Empty,
        SequenceValue seq => string.Join(", ", seq.Elements.Select(e => RenderValue(e))),
        _ => value.ToString(format, CultureInfo.InvariantCulture),
    };
}
