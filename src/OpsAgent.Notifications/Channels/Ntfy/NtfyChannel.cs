using System.Net.Http.Headers;
using System.Text;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Notifications.Channels.Ntfy;

/// <summary>Publishes the message as ntfy documents it: the body is the text, <c>Title</c>, <c>Priority</c> and <c>Tags</c> headers.</summary>
internal sealed class NtfyChannel(NotificationHttp http, SecretResolver secrets) : INotificationChannel
{
    public async Task<string> SendAsync(ChannelContext channel, NotificationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(message);
        var o = (NtfyChannelOptions)channel.Settings;
        using var request = new HttpRequestMessage(HttpMethod.Post, o.Url) { Content = new StringContent(message.Body, Encoding.UTF8, "text/plain") };
        // Header values are ASCII: a title with other characters goes RFC 2047-encoded, which ntfy decodes.
        request.Headers.TryAddWithoutValidation("Title", message.Subject.All(char.IsAscii) ? message.Subject : $"=?UTF-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(message.Subject))}?=");
        request.Headers.TryAddWithoutValidation("Priority", message.Severity switch { "critical" => "5", "warning" => "4", _ => "3" });
        request.Headers.TryAddWithoutValidation("Tags", message.Severity switch { "critical" => "rotating_light", "warning" => "warning", "resolved" => "white_check_mark", _ => "information_source" });
        if (o.Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await ChannelSecrets.ResolveAsync(secrets, o.Token, channel.PathOf("Token"), cancellationToken).ConfigureAwait(false));
        }

        return await http.SendAsync(request, channel.Timeout, cancellationToken).ConfigureAwait(false);
    }
}
