using OpsAgent.Core.Secrets;

namespace OpsAgent.Notifications.Channels;

/// <summary>Reads a channel's secret at delivery time; one that cannot be read fails the delivery (<c>secret_unavailable</c>), never the agent.</summary>
internal static class ChannelSecrets
{
    public static async Task<string> ResolveAsync(SecretResolver secrets, SecretReference reference, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await secrets.ResolveAsync(reference, path, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretResolutionException ex)
        {
            throw new NotificationDeliveryException(NotificationReasons.SecretUnavailable, ex.Message, ex);
        }
    }
}
