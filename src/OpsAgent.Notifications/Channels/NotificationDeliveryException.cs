namespace OpsAgent.Notifications.Channels;

/// <summary>A channel did not take a message: the reason constant and what the server said.</summary>
internal sealed class NotificationDeliveryException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>A <see cref="NotificationReasons"/> constant.</summary>
    public string Reason { get; } = reason;
}
