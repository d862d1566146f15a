namespace OpsAgent.Backups.Tests.Engines.Text;

/// <summary>The keys only the test's <c>text</c> engine uses.</summary>
public sealed class TextEngineOptions
{
    /// <summary>What the dump holds.</summary>
    public string? Text { get; set; }

    /// <summary>Write the dump in the agent's process (an <see cref="Engines.IDumpProducer"/>) instead of with <c>sh</c>.</summary>
    public bool InProcess { get; set; }

    /// <summary>In process: fail with <c>permission_denied</c> after writing this many bytes (a file the producer cannot read).</summary>
    public long? FailAfterBytes { get; set; }
}
