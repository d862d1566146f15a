using Serilog.Core;

namespace OpsAgent.Journald;

/// <summary>Settings of <see cref="JournaldSink"/>.</summary>
public sealed class JournaldSinkOptions
{
    /// <summary>The journald native socket.</summary>
    public string SocketPath { get; set; } = "/run/systemd/journal/socket";

    /// <summary><c>SYSLOG_IDENTIFIER</c>.</summary>
    public string SyslogIdentifier { get; set; } = "opsagent";

    /// <summary>Prefix of fields made from log event properties (<c>Job</c> → <c>OPSAGENT_JOB</c>).</summary>
    public string PropertyPrefix { get; set; } = "OPSAGENT_";

    /// <summary>Applied to every value before it leaves the process (secrets redaction).</summary>
    public Func<string, string> Redact { get; set; } = static s => s;

    /// <summary>Where entries go when the socket does not exist or journald refuses them.</summary>
    public ILogEventSink? Fallback { get; set; }

    /// <summary>Entries waiting to be sent; beyond it new entries are dropped (and counted) rather than block the caller.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// Largest datagram sent; larger entries are truncated with a marker. The default stays below Linux's default
    /// <c>net.core.wmem_default</c> (212992), the effective limit for an AF_UNIX datagram.
    /// </summary>
    public int MaxDatagramBytes { get; set; } = 200_000;

    /// <summary>How long the sender waits for a full journald queue before dropping an entry.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
