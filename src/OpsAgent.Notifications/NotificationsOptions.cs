using OpsAgent.Core.Configuration;

namespace OpsAgent.Notifications;

/// <summary>The <c>OpsAgent:Notifications</c> section: the channels people are told through, by name.</summary>
public sealed class NotificationsOptions
{
    /// <summary>The section path.</summary>
    public const string SectionName = "OpsAgent:Notifications";

    /// <summary>The channels, by name.</summary>
    [ConfigurationEntries]
    public Dictionary<string, ChannelOptions> Channels { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
