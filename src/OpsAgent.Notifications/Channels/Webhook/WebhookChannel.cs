using System.Text;
using System.Text.Json;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Notifications.Channels.Webhook;

/// <summary>POSTs the message as JSON.</summary>
internal sealed class WebhookChannel(NotificationHttp http, SecretResolver secrets) : INotificationChannel
{
    public async Task<string> SendAsync(ChannelContext channel, NotificationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(message);
        var o = (WebhookChannelOptions)channel.Settings;
        var body = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["host"] = message.Host, ["severity"] = message.Severity, ["subject"] = message.Subject, ["text"] = message.Body,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, o.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in o.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, await ChannelSecrets.ResolveAsync(secrets, value, channel.PathOf($"Headers:{name}"), cancellationToken).ConfigureAwait(false));
        }

        return await http.SendAsync(request, channel.Timeout, cancellationToken).ConfigureAwait(false);
    }
}
