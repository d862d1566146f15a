using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Logging;
using OpsAgent.Core.Notifications;
using OpsAgent.Notifications.Channels;
using OpsAgent.Notifications.Delivery;
using OpsAgent.Notifications.Pings;

namespace OpsAgent.Notifications.Heartbeat;

/// <summary>
/// Pings <c>Heartbeat</c> every <c>Every</c> while the agent runs: success while its own health (<c>/healthz</c>) is good,
/// failure with what is wrong otherwise. A dead agent or host sends nothing, which the receiver notices. Not queued: a
/// heartbeat delivered late says nothing true. A reload that adds, moves or re-times the heartbeat takes effect at once,
/// not after the wait the previous configuration set (an hour's <c>Every</c> shortened to a minute).
/// </summary>
internal sealed class HeartbeatService(AgentConfigurationManager configuration, NotificationSender sender, NotificationMetrics metrics, TimeProvider time,
    ILogger<HeartbeatService> logger, IAgentHealth? health = null, IHostApplicationLifetime? lifetime = null) : BackgroundService, IConfigurationChangeListener
{
    private bool _failing;
    private volatile string? _inUse;
    private CancellationTokenSource _wake = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Before the host has started, the scheduler is not running yet: that is no news to send.
            if (lifetime is not null && !lifetime.ApplicationStarted.IsCancellationRequested)
            {
                using var started = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStarted);
                await Task.Delay(Timeout.Infinite, started.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                var wake = Volatile.Read(ref _wake);
                var options = configuration.Current.Get<HeartbeatOptions>();
                _inUse = Key(options);
                if (options.Ping is { } ping)
                {
                    await BeatAsync(ping, stoppingToken).ConfigureAwait(false);
                }

                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, wake.Token))
                {
                    await Task.Delay(options.Every, time, wait.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public Task ConfigurationAppliedAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (_inUse is { } inUse && Key(configuration.Get<HeartbeatOptions>()) != inUse)
        {
            // Swapped before it is cancelled, and never disposed: the loop may still be reading the old one.
            Interlocked.Exchange(ref _wake, new CancellationTokenSource()).Cancel();
        }

        return Task.CompletedTask;
    }

    private static string Key(HeartbeatOptions options) => $"{options.Type}|{options.Url}|{options.Every.Ticks}";

    /// <summary>One heartbeat.</summary>
    internal async Task BeatAsync(PingOptions ping, CancellationToken cancellationToken)
    {
        var problem = health?.Problem();
        var request = PingBuilder.Build("heartbeat", ping, problem is null ? PingSignal.Success : PingSignal.Failure, null,
            problem ?? $"opsagent on {Environment.MachineName} is alive", null);
        if (request is null)
        {
            // A plain URL has nothing to say for an unwell agent: the missing ping is the message.
            return;
        }

        var target = ping.Describe();
        try
        {
            await sender.SendPingAsync(ping, request, cancellationToken).ConfigureAwait(false);
            metrics.Delivered("heartbeat", success: true);
            if (_failing)
            {
                _failing = false;
                using (EventScope.Begin(logger, "heartbeat_recovered"))
                {
                    NotificationLog.HeartbeatRecovered(logger, target);
                }
            }
        }
        catch (NotificationDeliveryException ex) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.Delivered("heartbeat", success: false);
            if (!_failing)
            {
                _failing = true;
                using (EventScope.Begin(logger, "heartbeat_failed", ("Reason", ex.Reason)))
                {
                    NotificationLog.HeartbeatFailed(logger, target, ex.Reason, ex.Message);
                }
            }
        }
    }
}
