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

/// <summary>HTTP endpoint settings.</summary>
public sealed class HttpOptions
{
    /// <summary>The URL Kestrel listens on; loopback by default so metrics are not exposed by accident.</summary>
    public string Listen { get; set; } = "http://127.0.0.1:9464";
}

/// <summary>Docker Engine API settings.</summary>
public sealed class DockerOptions
{
    /// <summary>Engine endpoint, <c>unix:///var/run/docker.sock</c> or <c>npipe://./pipe/docker_engine</c>.</summary>
    public string Endpoint { get; set; } = OperatingSystem.IsWindows() ? "npipe://./pipe/docker_engine" : "unix:///var/run/docker.sock";
}

/// <summary>Logging settings.</summary>
public sealed class LoggingOptions
{
    /// <summary>Minimum level: Verbose, Debug, Information, Warning, Error, Fatal.</summary>
    public string Level { get; set; } = "Information";

    /// <summary>journald settings.</summary>
    public JournaldOptions Journald { get; set; } = new();
}

/// <summary>journald settings.</summary>
public sealed class JournaldOptions
{
    /// <summary>The journald native-protocol socket; when it does not exist the agent logs to the console.</summary>
    public string SocketPath { get; set; } = "/run/systemd/journal/socket";
}

/// <summary>Configuration reload settings.</summary>
public sealed class ReloadOptions
{
    /// <summary>
    /// Reload when the files change (default). When false only <c>SIGHUP</c> (<c>systemctl reload opsagent</c>) reloads,
    /// for sites where configuration management writes several files and signals once when done.
    /// </summary>
    public bool WatchFiles { get; set; } = true;
}

/// <summary>The daemon's local control socket.</summary>
public sealed class ControlOptions
{
    /// <summary>
    /// A Unix socket (mode 0600) on which <c>opsagent backup run</c>, <c>probe run</c>, <c>cert check</c>, <c>pause</c>,
    /// <c>resume</c> and <c>reload</c> ask the running daemon to do the work; empty disables it. Never the HTTP listener.
    /// </summary>
    public string Socket { get; set; } = OperatingSystem.IsWindows() ? string.Empty : "/run/opsagent/control.sock";
}
