using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Notifications;
using OpsAgent.Core.Secrets;
using OpsAgent.Notifications.Channels;
using OpsAgent.Notifications.Outbox;
using OpsAgent.Notifications.Pings;

namespace OpsAgent.Notifications.Delivery;

/// <summary>Makes one delivery of a queued item: an alert through its channel's type, a ping with its receiver's API.</summary>
internal sealed class NotificationSender(IServiceProvider services, NotificationHttp http, SecretResolver secrets, IEnumerable<IPingCatalog> catalogs)
{
    private readonly IPingCatalog[] _catalogs = [.. catalogs];

    /// <summary>The channel named <paramref name="name"/> in <paramref name="configuration"/>, ready to send, or null when it is not configured.</summary>
    public (ChannelContext Context, INotificationChannel Channel)? Channel(AgentConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.Get<NotificationsOptions>().Channels.GetValueOrDefault(name) is { Settings: { } settings } options
            && services.GetKeyedService<INotificationChannel>(settings.GetType()) is { } channel
            ? (new ChannelContext(name, settings, options.Timeout), channel)
            : null;
    }

    /// <summary>The ping of <paramref name="owner"/> (<c>backup:job</c>, <c>probe:name</c>, <c>heartbeat</c>), or null.</summary>
    public PingOptions? Ping(AgentConfiguration configuration, string owner)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (owner == "heartbeat")
        {
            return configuration.Get<HeartbeatOptions>().Ping;
        }

        var colon = owner.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : _catalogs.FirstOrDefault(c => c.Kind == owner[..colon])?.Find(configuration, owner[(colon + 1)..]);
    }

    /// <summary>Sends a ping; what the receiver answered, or a <see cref="NotificationDeliveryException"/>.</summary>
    public async Task<string> SendPingAsync(PingOptions ping, PingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ping);
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
        if (request.Method == "POST")
        {
            message.Content = new StringContent(request.Body ?? "", Encoding.UTF8, "text/plain");
        }

        if (ping.Token is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                await ChannelSecrets.ResolveAsync(secrets, ping.Token, $"{request.Owner}:Ping:Token", cancellationToken).ConfigureAwait(false));
        }

        return await http.SendAsync(message, ping.Timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delivers <paramref name="item"/> as queued in <paramref name="queue"/>; null when what it was for is no longer configured.</summary>
    public async Task<string?> DeliverAsync(AgentConfiguration configuration, string queue, OutboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Kind == OutboxKind.Alert)
        {
            return Queues.ChannelOf(queue) is { } name && Channel(configuration, name) is { } channel && item.Message is { } alert
                ? await channel.Channel.SendAsync(channel.Context, alert, cancellationToken).ConfigureAwait(false)
                : null;
        }

        return item.Ping is { } request && Ping(configuration, request.Owner) is { } ping
            ? await SendPingAsync(ping, request, cancellationToken).ConfigureAwait(false)
            : null;
    }
}
