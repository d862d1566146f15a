using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Notifications.Channels;
using OpsAgent.Notifications.Channels.Ntfy;
using OpsAgent.Notifications.Channels.Smtp;
using OpsAgent.Notifications.Channels.Webhook;
using OpsAgent.Notifications.Delivery;
using OpsAgent.Notifications.Heartbeat;
using OpsAgent.Notifications.Outbox;

namespace OpsAgent.Notifications;

/// <summary>Registers notifications: channels, alerting, pings and the heartbeat.</summary>
public static class NotificationServiceCollectionExtensions
{
    /// <summary>Adds the sections, the channel types and what <c>notify test</c> and <c>check-config</c> need (no hosted services).</summary>
    public static IServiceCollection AddNotificationServices(this IServiceCollection services)
    {
        services.AddAgentSection<NotificationsOptions, NotificationsOptionsValidator>(NotificationsOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertingOptions>, AlertingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HeartbeatOptions>, AlertingOptionsValidator>());
        services.AddAgentSection<AlertingOptions>(AlertingOptions.SectionName);
        services.AddAgentSection<HeartbeatOptions>(HeartbeatOptions.SectionName);
        services.AddConfigurationCheck<AlertingChannelsCheck>();
        services.AddHostCheck<NotificationHostCheck>();

        // The channel types, by the Type that selects each.
        services.AddNotificationChannel<SmtpChannel, SmtpChannelOptions>("smtp");
        services.AddNotificationChannel<WebhookChannel, WebhookChannelOptions>("webhook");
        services.AddNotificationChannel<NtfyChannel, NtfyChannelOptions>("ntfy");

        services.TryAddSingleton<NotificationHttp>();
        services.TryAddSingleton<NotificationSender>();
        services.TryAddSingleton<NotificationOutbox>();
        return services;
    }

    /// <summary>Adds notifications to the daemon: the event listener, the outbox's delivery, metrics and the heartbeat.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddNotificationServices();
        services.AddAgentMetrics<NotificationMetrics>();
        services.AddAgentEventListener<NotificationService>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationService>());
        services.TryAddSingleton<HeartbeatService>();
        services.AddHostedService(sp => sp.GetRequiredService<HeartbeatService>());
        services.AddSingleton<IConfigurationChangeListener>(sp => sp.GetRequiredService<HeartbeatService>());
        return services;
    }

    /// <summary>Adds a channel type: <c>Type: <paramref name="name"/></c> selects <typeparamref name="TChannel"/> with its settings <typeparamref name="TOptions"/>.</summary>
    public static IServiceCollection AddNotificationChannel<TChannel, TOptions>(this IServiceCollection services, string name)
        where TChannel : class
        where TOptions : class, IChannelSettings, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (services.TryAddConfigurationKind<ChannelOptions, TOptions>(nameof(ChannelOptions.Type), name))
        {
            services.AddKeyedSingleton(typeof(INotificationChannel), typeof(TOptions), typeof(TChannel));
        }

        return services;
    }
}
