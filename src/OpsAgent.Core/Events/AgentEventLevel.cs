namespace OpsAgent.Core.Events;

/// <summary>The level of an <see cref="AgentEvent"/>: the journal's, from information to critical.</summary>
public enum AgentEventLevel
{
    /// <summary>Information (PRIORITY 6, or 5 for a notice).</summary>
    Information,

    /// <summary>Warning (PRIORITY 4).</summary>
    Warning,

    /// <summary>Error (PRIORITY 3).</summary>
    Error,

    /// <summary>Critical (PRIORITY 2).</summary>
    Critical,
}
