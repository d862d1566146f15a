namespace OpsAgent.Notifications.Outbox;

/// <summary>What an <see cref="OutboxItem"/> carries.</summary>
internal enum OutboxKind
{
    /// <summary>A message for people through a channel.</summary>
    Alert,

    /// <summary>A request to a monitoring service.</summary>
    Ping,
}
