using OpsAgent.Core.Events;
using OpsAgent.Core.Secrets;
using OpsAgent.Journald;
using Serilog.Core;
using Serilog.Events;

namespace OpsAgent.Hosting;

/// <summary>
/// A log sink that hands every entry with an event id (<c>OPSAGENT_EVENT_ID</c>) from information up to the <see cref="AgentEventHub"/>: what the
/// journal says is exactly what notifications are made of, with the same fields and the same entry id.
/// </summary>
/// <remarks>The logger exists before the service container, so the hub is attached once the host is built; earlier entries are not published.</remarks>
internal sealed class AgentEventTap(SecretRedactor redactor) : ILogEventSink
{
    private AgentEventHub? _hub;

    /// <summary>Starts publishing to <paramref name="hub"/>.</summary>
    public void Attach(AgentEventHub hub) => Volatile.Write(ref _hub, hub);

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (Volatile.Read(ref _hub) is not { } hub || logEvent.Level < LogEventLevel.Information || !logEvent.Properties.ContainsKey("EventId"))
        {
            return;
        }

        var eventName = logEvent.Properties.TryGetValue("Event", out var name) && name is ScalarValue { Value: string named } ? named : "";

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var eventId = 0;
        foreach (var (key, value) in logEvent.Properties)
        {
            if (key == "EventId" && value is StructureValue structure)
            {
                var id = structure.Properties.FirstOrDefault(p => p.Name == "Id")?.Value as ScalarValue;
                eventId = id?.Value is int i ? i : 0;
                continue;
            }

            if (value is not ScalarValue { Value: null })
            {
                fields[key] = redactor.Redact(MessageRenderer.RenderValue(value));
            }
        }

        var level = logEvent.Level switch
        {
            LogEventLevel.Warning => AgentEventLevel.Warning,
            LogEventLevel.Error => AgentEventLevel.Error,
            LogEventLevel.Fatal => AgentEventLevel.Critical,
            _ => AgentEventLevel.Information,
        };
        hub.Publish(new AgentEvent(eventName, eventId, level, redactor.Redact(MessageRenderer.Render(logEvent)), logEvent.Timestamp, fields));
    }
}
