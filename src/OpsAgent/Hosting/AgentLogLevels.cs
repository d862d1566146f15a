using Serilog.Core;
using Serilog.Events;

namespace OpsAgent.Hosting;

/// <summary>
/// The level an operator chose (<c>Logging:Level</c>) applies to the journal; the logger itself always lets information
/// through, so that what notifications are made of (a backup that succeeded again, a probe that recovered) reaches the
/// event tap whatever the journal keeps.
/// </summary>
internal sealed class AgentLogLevels
{
    /// <summary>Levels starting at <paramref name="journal"/>.</summary>
    public AgentLogLevels(LogEventLevel journal) => Set(journal);

    /// <summary>What the journal sink writes.</summary>
    public LoggingLevelSwitch Journal { get; } = new();

    /// <summary>What the logger creates events for: the journal's level or information, whichever is lower.</summary>
    public LoggingLevelSwitch Root { get; } = new();

    /// <summary>Changes the journal's level (a reload of <c>Logging:Level</c>).</summary>
    public void Set(LogEventLevel journal)
    {
        Journal.MinimumLevel = journal;
        Root.MinimumLevel = journal < LogEventLevel.Information ? journal : LogEventLevel.Information;
    }
}
