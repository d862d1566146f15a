namespace OpsAgent.Notifications.Channels;

/// <summary>A channel type's delivery: one message, once; retries, queueing and fail-over are the dispatcher's.</summary>
internal interface INotificationChannel
{
    /// <summary>Delivers <paramref name="message"/>; returns what the server answered; throws <see cref="NotificationDeliveryException"/> when it was not delivered.</summary>
    Task<string> SendAsync(ChannelContext channel, NotificationMessage message, CancellationToken cancellationToken);
}
