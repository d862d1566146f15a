using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Notifications.Channels;

namespace OpsAgent.Notifications;

/// <summary><c>check-config</c>: each channel's secrets, files and example hosts, the heartbeat's URL and token; no message is sent (that is <c>notify test</c>).</summary>
internal sealed class NotificationHostCheck : IHostCheck
{
    public async Task CheckAsync(AgentConfiguration configuration, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var (name, channel) in configuration.Get<NotificationsOptions>().Channels)
        {
            if (channel.Settings is IChannelSettings settings)
            {
                await settings.CheckHostAsync($"{NotificationsOptions.SectionName}:{name}", context, cancellationToken).ConfigureAwait(false);
            }
        }

        if (configuration.Get<HeartbeatOptions>().Ping is { } heartbeat)
        {
            await heartbeat.CheckHostAsync(HeartbeatOptions.SectionName, context, cancellationToken).ConfigureAwait(false);
        }
    }
}
