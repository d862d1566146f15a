namespace OpsAgent.Notifications.Outbox;

/// <summary>Queue names: <c>channel.&lt;name&gt;</c> for alerts, <c>ping.&lt;kind&gt;.&lt;name&gt;</c> for pings (names follow the configuration's name rules, safe as file names).</summary>
internal static class Queues
{
    public static string Channel(string channel) => $"channel.{channel}";

    public static string Ping(string owner)
    {
        var colon = owner.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? $"ping.{owner}" : $"ping.{owner[..colon]}.{owner[(colon + 1)..]}";
    }

    /// <summary>The channel's name, or <c>ping:&lt;kind&gt;:&lt;name&gt;</c>: the metric label and the journal's word for the queue.</summary>
    public static string Display(string queue)
    {
        if (queue.StartsWith("channel.", StringComparison.Ordinal))
        {
            return queue["channel.".Length..];
        }

        if (!queue.StartsWith("ping.", StringComparison.Ordinal))
        {
            return queue;
        }

        var owner = queue["ping.".Length..];
        var dot = owner.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? $"ping:{owner}" : $"ping:{owner[..dot]}:{owner[(dot + 1)..]}";
    }

    /// <summary>The channel an alert queue serves, or null for a ping queue.</summary>
    public static string? ChannelOf(string queue) => queue.StartsWith("channel.", StringComparison.Ordinal) ? queue["channel.".Length..] : null;
}
