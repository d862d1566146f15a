using System.CommandLine;
using OpsAgent.Core.Configuration;
using OpsAgent.Notifications;
using OpsAgent.Notifications.Channels;
using OpsAgent.Notifications.Delivery;

namespace OpsAgent.Cli;

/// <summary><c>opsagent notify test CHANNEL</c>: one test message through a channel, and what its server answered.</summary>
internal static class NotifyCommands
{
    public static Command Build(Option<string?> config)
    {
        var notify = new Command("notify", "Notification channels (OpsAgent:Notifications)");
        var channel = new Argument<string>("CHANNEL") { Description = "A channel under OpsAgent:Notifications" };
        var test = new Command("test", "Send a test message through CHANNEL now and print what the server answered; exit 1 when it was not delivered") { channel };
        test.SetAction((parse, ct) => TestAsync(parse.GetValue(config), parse.GetValue(channel)!, Console.Out, ct));
        notify.Subcommands.Add(test);
        return notify;
    }

    internal static async Task<int> TestAsync(string? configPath, string name, TextWriter output, CancellationToken cancellationToken)
    {
        using var provider = CliServices.Load(configPath, output, out var configuration);
        return provider is null ? 1 : await TestAsync(provider, configuration, name, output, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<int> TestAsync(IServiceProvider services, AgentConfiguration configuration, string name, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var channels = configuration.Get<NotificationsOptions>().Channels;
        if (services.GetRequiredService<NotificationSender>().Channel(configuration, name) is not { } channel)
        {
            var known = string.Join(", ", channels.Keys.Order(StringComparer.Ordinal));
            await output.WriteLineAsync($"no channel '{name}' (configured: {(known.Length == 0 ? "none" : known)})").ConfigureAwait(false);
            return 1;
        }

        var host = Environment.MachineName;
        var message = new NotificationMessage($"[opsagent {host}] TEST message through {channel.Context.Name}",
            $"A test message from opsagent on {host}, sent by 'opsagent notify test {channel.Context.Name}' at {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC.\n\nIf you read this, alerts through this channel reach you.\n",
            "test", host);
        var describe = (channel.Context.Settings as IChannelSettings)?.Describe() ?? name;
        try
        {
            var answer = await channel.Channel.SendAsync(channel.Context, message, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"notify test {channel.Context.Name}: delivered ({describe}): {answer}").ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            var reason = ex is NotificationDeliveryException delivery ? delivery.Reason : NotificationReasons.DeliveryError;
            await output.WriteLineAsync($"notify test {channel.Context.Name}: not delivered ({reason}, {describe}): {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
