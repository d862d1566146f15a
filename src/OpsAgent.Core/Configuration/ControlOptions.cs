namespace OpsAgent.Core.Configuration;

/// <summary>The daemon's local control socket.</summary>
public sealed class ControlOptions
{
    /// <summary>
    /// A Unix socket (mode 0600) on which <c>opsagent backup run</c>, <c>probe run</c>, <c>cert check</c>, <c>pause</c>,
    /// <c>resume</c> and <c>reload</c> ask the running daemon to do the work; empty disables it. Never the HTTP listener.
    /// </summary>
    public string Socket { get; set; } = OperatingSystem.IsWindows() ? string.Empty : "/run/opsagent/control.sock";
}
