namespace OpsAgent.Core.Configuration;

/// <summary>The foundation settings of the <c>OpsAgent</c> section: time zone, HTTP endpoint, state, Docker and logging.</summary>
/// <remarks>
/// Capability sections (<c>Backups</c>, <c>Probes</c>, <c>Certificates</c>) are bound into their own options types
/// through <see cref="AgentSection{TOptions}"/>, so that each capability owns its keys and validation.
/// </remarks>
public sealed class OpsAgentOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "OpsAgent";

    /// <summary>IANA or Windows time-zone id, or <c>Local</c>; schedules are interpreted in this zone.</summary>
    public string TimeZone { get; set; } = "Local";

    /// <summary>The HTTP endpoint serving <c>/metrics</c>, <c>/healthz</c> and <c>/status</c>.</summary>
    public HttpOptions Http { get; set; } = new();

    /// <summary>Directory for agent state (incidents, pause markers).</summary>
    public string StateDirectory { get; set; } = OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "OpsAgent")
        : "/var/lib/opsagent";

    /// <summary>Docker Engine API endpoint.</summary>
    public DockerOptions Docker { get; set; } = new();

    /// <summary>Log level and journald settings.</summary>
    public LoggingOptions Logging { get; set; } = new();

    /// <summary>How configuration changes are picked up.</summary>
    public ReloadOptions Reload { get; set; } = new();

    /// <summary>The local control socket the CLI reaches the running daemon through.</summary>
    public ControlOptions Control { get; set; } = new();

    /// <summary>Resolves <see cref="TimeZone"/>; call only on validated options.</summary>
    public TimeZoneInfo ResolveTimeZone() => TimeZoneResolver.Resolve(TimeZone);
}
