using OpsAgent.Core.Notifications;

namespace OpsAgent.Notifications;

/// <summary>The <c>OpsAgent:Heartbeat</c> section: a ping while the agent is alive and healthy, so its silence is noticed outside the host.</summary>
public sealed class HeartbeatOptions
{
    /// <summary>The section path.</summary>
    public const string SectionName = "OpsAgent:Heartbeat";

    /// <summary>The ping's type (<see cref="PingOptions.Types"/>); null for no heartbeat.</summary>
    public string? Type { get; set; }

    /// <summary>The check's URL.</summary>
    public string? Url { get; set; }

    /// <summary>gatus: the bearer token.</summary>
    public Core.Secrets.SecretReference? Token { get; set; }

    /// <summary>How often.</summary>
    public TimeSpan Every { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The heartbeat as a ping, or null when none is configured.</summary>
    public PingOptions? Ping => Type is null && Url is null ? null : new PingOptions { Type = Type, Url = Url, Token = Token, Timeout = TimeSpan.FromSeconds(10) };
}
