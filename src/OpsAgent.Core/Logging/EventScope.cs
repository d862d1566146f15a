using Microsoft.Extensions.Logging;

namespace OpsAgent.Core.Logging;

/// <summary>Attaches an <c>Event</c> name (journal field <c>OPSAGENT_EVENT</c>) and extra fields to the entries logged inside it.</summary>
/// <remarks>
/// Source-generated log methods must use every argument in their message template; fields that belong in the journal but
/// not in the one-line message (the event name, a tool's stderr) travel as scope properties instead, which the Serilog
/// provider turns into ordinary structured properties.
/// </remarks>
public static class EventScope
{
    /// <summary>Begins a scope carrying <paramref name="name"/> as <c>Event</c> plus <paramref name="fields"/>.</summary>
    public static IDisposable? Begin(ILogger logger, string name, params ReadOnlySpan<(string Key, object? Value)> fields)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var state = new Dictionary<string, object?>(fields.Length + 1, StringComparer.Ordinal) { ["Event"] = name };
        foreach (var (key, value) in fields)
        {
            if (value is not null)
            {
                state[key] = value;
            }
        }

        return logger.BeginScope(state);
    }
}
