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
    /// <summary>
    /// A scope field that sets the entry's syslog PRIORITY (0-7) instead of the level's: .NET has no level for notice (5),
    /// which operator-caused states use. The journald sink (<c>JournaldSink.PriorityProperty</c>) reads the same name.
    /// </summary>
    public const string Priority = "SyslogPriority";

    /// <summary>PRIORITY 5: normal but significant, such as a unit an operator stopped.</summary>
    public const int Notice = 5;

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
