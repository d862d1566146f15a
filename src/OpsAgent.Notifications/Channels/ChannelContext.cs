namespace OpsAgent.Notifications.Channels;

/// <summary>The channel a message goes through: its name, its type's settings and how long a delivery may take.</summary>
/// <param name="Name">The channel's name under <c>OpsAgent:Notifications</c>.</param>
/// <param name="Settings">The type's options (<c>SmtpChannelOptions</c>, ...).</param>
/// <param name="Timeout">The channel's <c>Timeout</c>.</param>
internal sealed record ChannelContext(string Name, object Settings, TimeSpan Timeout)
{
    /// <summary>The configuration path of one of the channel's keys, for secrets' error messages.</summary>
    public string PathOf(string key) => $"{NotificationsOptions.SectionName}:{Name}:{key}";
}
