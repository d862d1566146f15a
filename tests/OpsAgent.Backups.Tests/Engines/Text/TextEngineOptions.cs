namespace OpsAgent.Backups.Tests.Engines.Text;

/// <summary>The keys only the test's <c>text</c> engine uses.</summary>
public sealed class TextEngineOptions
{
    /// <summary>What the dump holds.</summary>
    public string? Text { get; set; }
}
