using System.Diagnostics.Metrics;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;
using OpsAgent.Notifications.Outbox;

namespace OpsAgent.Notifications;

/// <summary><c>opsagent_notifications_total{channel,result}</c> and <c>opsagent_notification_queue{channel}</c> (docs/metrics.md).</summary>
internal sealed class NotificationMetrics
{
    private readonly Counter<long> _deliveries;

    public NotificationMetrics(AgentMetrics metrics, AgentConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _deliveries = metrics.Meter.CreateCounter<long>("opsagent_notifications", description: "Deliveries by channel (an alert channel, ping:<owner>, heartbeat) and result (success|failure).");
        metrics.Meter.CreateObservableGauge("opsagent_notification_queue", () => NotificationOutbox.Lengths(configuration.Current.Agent.StateDirectory)
            .Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("channel", Queues.Display(q.Key)))),
            description: "Deliveries waiting in StateDirectory/notifications/outbox, by channel.");
    }

    /// <summary>Counts one delivery attempt.</summary>
    public void Delivered(string channel, bool success)
        => _deliveries.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("result", success ? "success" : "failure"));
}
