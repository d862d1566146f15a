namespace OpsAgent.Backups.Copies;

/// <summary>What the agent last learnt about one copy of a job (<c>&lt;StateDirectory&gt;/copies/&lt;job&gt;/&lt;copy&gt;.json</c>).</summary>
internal sealed class CopyTargetState
{
    /// <summary>The complete backups the target held at the last listing: names and times.</summary>
    public List<RemoteEntry> Remote { get; set; } = [];

    /// <summary>When the target was last listed.</summary>
    public DateTimeOffset? ListedAt { get; set; }

    /// <summary>When a pass last ended with nothing missing.</summary>
    public DateTimeOffset? LastSuccess { get; set; }

    /// <summary>When a pass last ended, whatever its result.</summary>
    public DateTimeOffset? LastAttempt { get; set; }

    /// <summary>The last pass's result: <c>success</c> or <c>failure</c>.</summary>
    public string? LastResult { get; set; }

    /// <summary>The last failure's reason.</summary>
    public string? LastReason { get; set; }

    /// <summary>The last failure's message (free of secrets).</summary>
    public string? LastMessage { get; set; }

    /// <summary>One remote backup.</summary>
    /// <param name="Name">The local data file name it copies.</param>
    /// <param name="Time">The time in its name.</param>
    /// <param name="Size">The data object's size.</param>
    public sealed record RemoteEntry(string Name, DateTimeOffset Time, long Size);
}
