using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Health;

/// <summary>The <c>OpsAgent:Probes</c> section: one entry per probe.</summary>
public sealed class ProbesOptions
{
    /// <summary>The section path.</summary>
    public const string SectionName = "OpsAgent:Probes";

    /// <summary>The probes, by name.</summary>
    [ConfigurationEntries]
    public Dictionary<string, ProbeOptions> Probes { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>What a probe checks.</summary>
public enum ProbeType
{
    /// <summary>An HTTP(S) request; status, JSON fields and body text checked.</summary>
    Http,

    /// <summary>A TCP connection.</summary>
    Tcp,

    /// <summary>A PostgreSQL connection (and optional query).</summary>
    Postgres,

    /// <summary>A MongoDB <c>ping</c>.</summary>
    MongoDb,

    /// <summary>A Docker container running (and healthy when it has a HEALTHCHECK).</summary>
    Docker,

    /// <summary>A systemd unit active.</summary>
    Systemd,
}

/// <summary>One probe.</summary>
public sealed class ProbeOptions
{
    /// <summary>What it checks.</summary>
    public ProbeType? Type { get; set; }

    /// <summary>http: the URL.</summary>
    public string? Url { get; set; }

    /// <summary>http: the method (default GET).</summary>
    public string Method { get; set; } = "GET";

    /// <summary>http: extra request headers.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>http: the Host header (and TLS name), to probe a loopback backend under its public virtual host.</summary>
    public string? HostHeader { get; set; }

    /// <summary>http: accepted status codes (default: any 2xx).</summary>
    public List<int> ExpectStatus { get; set; } = [];

    /// <summary>http: dotted JSON path → accepted value(s); numbers and booleans compare by their JSON text.</summary>
    public Dictionary<string, List<string>> ExpectJson { get; set; } = new(StringComparer.Ordinal);

    /// <summary>http: text the body must contain.</summary>
    public string? ExpectBodyContains { get; set; }

    /// <summary>http: verify the server's certificate.</summary>
    public bool VerifyTls { get; set; } = true;

    /// <summary>The largest <see cref="MaxBodyBytes"/> the configuration accepts.</summary>
    public const long MaxBodyBytesCeiling = 16L * 1024 * 1024;

    /// <summary>http: larger bodies fail the probe (<c>body_too_large</c>); they are never read whole.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>http: follow redirects (otherwise a 3xx is the answer).</summary>
    public bool FollowRedirects { get; set; }

    /// <summary>tcp: host.</summary>
    public string? Host { get; set; }

    /// <summary>tcp: port.</summary>
    public int? Port { get; set; }

    /// <summary>postgres/mongodb: the connection (a secret).</summary>
    public SecretReference? Connection { get; set; }

    /// <summary>postgres: a query that must return a row.</summary>
    public string? Query { get; set; }

    /// <summary>docker: the container name or id.</summary>
    public string? Container { get; set; }

    /// <summary>systemd: the unit.</summary>
    public string? Unit { get; set; }

    /// <summary>How often the probe runs.</summary>
    public TimeSpan Every { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One attempt's time limit.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive failures before the probe is failing.</summary>
    public int FailureThreshold { get; set; } = 3;

    /// <summary>Consecutive successes before a failing probe is healthy again.</summary>
    public int SuccessThreshold { get; set; } = 1;

    /// <summary>Grace after the agent starts and after each restart: failures are counted but nothing is restarted.</summary>
    public TimeSpan StartPeriod { get; set; } = TimeSpan.Zero;

    /// <summary>Probes that must be healthy before this one's target is restarted.</summary>
    public List<string> DependsOn { get; set; } = [];

    /// <summary>What to restart when the probe is failing (none: only report).</summary>
    public RestartOptions? Restart { get; set; }
}

/// <summary>The restart target and its storm control.</summary>
public sealed class RestartOptions
{
    /// <summary>A systemd unit (<c>systemctl restart</c>).</summary>
    public string? Unit { get; set; }

    /// <summary>A Docker container (Engine API restart).</summary>
    public string? Container { get; set; }

    /// <summary>A Windows service (service control manager).</summary>
    public string? WindowsService { get; set; }

    /// <summary>At most this many restarts in <see cref="Window"/>; past it the probe is suppressed.</summary>
    public int MaxRestarts { get; set; } = 3;

    /// <summary>The window <see cref="MaxRestarts"/> counts in.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Wait between restarts: <c>Initial</c>, doubling up to <c>Max</c>.</summary>
    public BackoffOptions Backoff { get; set; } = new();

    /// <summary>How long a restarted target has to become healthy.</summary>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Log lines captured when it does not recover.</summary>
    public int CaptureLogLines { get; set; } = 200;

    /// <summary>Docker: seconds the container gets to stop before it is killed.</summary>
    public int StopTimeoutSeconds { get; set; } = 10;

    /// <summary>What is restarted, for logs.</summary>
    public string Describe() => Unit is not null ? $"unit {Unit}" : Container is not null ? $"container {Container}" : $"service {WindowsService}";
}

/// <summary>Exponential back-off between restarts.</summary>
public sealed class BackoffOptions
{
    /// <summary>Wait after the first restart.</summary>
    public TimeSpan Initial { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait.</summary>
    public TimeSpan Max { get; set; } = TimeSpan.FromMinutes(5);
}
