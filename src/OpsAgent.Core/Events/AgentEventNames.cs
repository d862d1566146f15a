namespace OpsAgent.Core.Events;

/// <summary>The events published by the agent itself rather than taken from a journal entry.</summary>
public static class AgentEventNames
{
    /// <summary>A job's run began (<c>Kind</c>, <c>Job</c>, <c>RunId</c>).</summary>
    public const string RunStarted = "run_started";

    /// <summary>A job's run ended (<c>Kind</c>, <c>Job</c>, <c>RunId</c>, <c>Result</c> success|failure, <c>Reason</c>, <c>DurationSeconds</c>).</summary>
    public const string RunFinished = "run_finished";

    /// <summary>A probe attempt ended (<c>Probe</c>, <c>Result</c> success|failure, <c>Reason</c>, <c>Milliseconds</c>), every run.</summary>
    public const string ProbeAttempt = "probe_attempt";

    /// <summary>The field holding the journal entry's own id (<c>OPSAGENT_ENTRY_ID</c>), the handle a message gives for <c>journalctl</c>.</summary>
    public const string EntryIdField = "EntryId";
}
