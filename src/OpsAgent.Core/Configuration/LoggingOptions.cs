namespace OpsAgent.Core.Configuration;

/// <summary>Logging settings.</summary>
public sealed class LoggingOptions
{
    /// <summary>Minimum level: Verbose, Debug, Information, Warning, Error, Fatal.</summary>
    public string Level { get; set; } = "Information";

    /// <summary>journald settings.</summary>
    public JournaldOptions Journald { get; set; } = new();
}
