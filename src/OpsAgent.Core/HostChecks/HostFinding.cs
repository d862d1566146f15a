namespace OpsAgent.Core.HostChecks;

/// <summary>One thing on this host that would make the configuration fail at run time.</summary>
/// <param name="Severity">An error (it cannot work) or a warning (it may work once something appears).</param>
/// <param name="Path">The configuration path it is about, as validation errors name it.</param>
/// <param name="Message">What is wrong and what to do; never a secret's value.</param>
public sealed record HostFinding(HostFindingSeverity Severity, string Path, string Message)
{
    /// <summary>Formats as <c>path: message</c>, like <see cref="Configuration.ConfigError"/>.</summary>
    public override string ToString() => $"{Path}: {Message}";
}
