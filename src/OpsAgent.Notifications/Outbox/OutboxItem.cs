namespace OpsAgent.Notifications.Outbox;

/// <summary>One queued delivery, as its file in the outbox holds it.</summary>
internal sealed class OutboxItem
{
    /// <summary>A unique id, also the file's name after its sequence number.</summary>
    public string Id { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>When it was queued.</summary>
    public DateTimeOffset Created { get; set; }

    /// <summary>An alert (or a test message) for a channel, or a ping.</summary>
    public OutboxKind Kind { get; set; }

    /// <summary>alert: the message.</summary>
    public Channels.NotificationMessage? Message { get; set; }

    /// <summary>alert: the channels it was handed on from, in order, when earlier ones kept failing.</summary>
    public List<string> Tried { get; set; } = [];

    /// <summary>ping: what sends it.</summary>
    public Pings.PingRequest? Ping { get; set; }

    /// <summary>Failed attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Not tried again before this.</summary>
    public DateTimeOffset NextAttempt { get; set; }

    /// <summary>The last failure's reason and message.</summary>
    public string? LastError { get; set; }
}
