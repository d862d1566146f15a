using System.Security.Cryptography;
using Serilog.Core;
using Serilog.Events;
using OpsAgent.Core.Events;

namespace OpsAgent.Hosting;

/// <summary>
/// Gives each entry with an event id, from information up, a short random id (<c>OPSAGENT_ENTRY_ID</c> in the journal), so a notification can
/// say <c>journalctl -t opsagent OPSAGENT_ENTRY_ID=…</c> and the reader lands on the entry with everything else it holds.
/// </summary>
internal sealed class EntryIdEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (logEvent.Properties.ContainsKey("EventId") && logEvent.Level >= LogEventLevel.Information)
        {
            logEvent.AddPropertyIfAbsent(new LogEventProperty(AgentEventNames.EntryIdField, new ScalarValue(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)))));
        }
    }
}
