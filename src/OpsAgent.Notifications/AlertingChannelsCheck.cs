using OpsAgent.Core.Configuration;

namespace OpsAgent.Notifications;

/// <summary>Each channel of <c>Alerting:Channels</c> is defined under <c>Notifications</c>.</summary>
internal sealed class AlertingChannelsCheck : IConfigurationCheck
{
    public void Check(ConfigurationSections sections, ValidationCollector errors)
    {
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(errors);
        var channels = sections.Find<NotificationsOptions>()?.Channels ?? new Dictionary<string, ChannelOptions>(StringComparer.OrdinalIgnoreCase);
        var alerting = sections.Find<AlertingOptions>();
        for (var i = 0; i < (alerting?.Channels.Count ?? 0); i++)
        {
            var name = alerting!.Channels[i];
            if (name is null || !channels.ContainsKey(name))
            {
                var known = channels.Count == 0 ? "OpsAgent:Notifications defines none" : $"defined: {string.Join(", ", channels.Keys.Order(StringComparer.Ordinal))}";
                errors.Add($"{AlertingOptions.SectionName}:{nameof(AlertingOptions.Channels)}:{i}", $"names the channel '{StrictBinder.Truncate(name ?? "")}', which OpsAgent:Notifications does not define ({known})");
            }
        }
    }
}
