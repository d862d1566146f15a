using OpsAgent.Core.Configuration;

namespace OpsAgent.Notifications;

/// <summary>One channel (<c>OpsAgent:Notifications:&lt;name&gt;</c>): its type and the type's own settings beside it.</summary>
public sealed class ChannelOptions
{
    /// <summary>The type: <c>smtp</c>, <c>webhook</c> or <c>ntfy</c>.</summary>
    public string? Type { get; set; }

    /// <summary>The type's own settings, bound from the same object.</summary>
    [ConfigurationKind]
    public object? Settings { get; set; }

    /// <summary>How long one delivery may take before it counts as failed and is tried again later.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
