namespace OpsAgent.Core.Configuration;

/// <summary>journald settings.</summary>
public sealed class JournaldOptions
{
    /// <summary>The journald native-protocol socket; when it does not exist the agent logs to the console.</summary>
    public string SocketPath { get; set; } = "/run/systemd/journal/socket";
}
