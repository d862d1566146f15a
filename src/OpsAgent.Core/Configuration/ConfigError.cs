namespace OpsAgent.Core.Configuration;

/// <summary>One configuration problem: the JSON path (colon-separated, as in .NET configuration) and what is wrong.</summary>
public sealed record ConfigError(string Path, string Message)
{
    /// <summary>Formats as <c>path: message</c>, the form every surface (log, CLI, exit message) prints.</summary>
    public override string ToString() => $"{Path}: {Message}";
}
