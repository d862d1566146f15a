namespace OpsAgent.Notifications.Alerting;

/// <summary>A problem people were (or are about to be) told of, kept in <c>StateDirectory/notifications/alerts.json</c> across restarts.</summary>
internal sealed class OpenProblem
{
    /// <summary>The subject's kind and name: <c>probe sims-health</c>.</summary>
    public string Subject { get; set; } = "";

    /// <summary>Critical, or only a warning.</summary>
    public bool Critical { get; set; }

    /// <summary>The reason constant, when the event had one.</summary>
    public string? Reason { get; set; }

    /// <summary>What the event said.</summary>
    public string Message { get; set; } = "";

    /// <summary>The journal entry to look up.</summary>
    public string? EntryId { get; set; }

    /// <summary>When it began.</summary>
    public DateTimeOffset Since { get; set; }

    /// <summary>When people were last told (the problem, or a reminder).</summary>
    public DateTimeOffset LastTold { get; set; }

    /// <summary>Whether people were told at all (a warning below <c>MinLevel</c> is tracked but not told, nor its end).</summary>
    public bool Told { get; set; }
}
