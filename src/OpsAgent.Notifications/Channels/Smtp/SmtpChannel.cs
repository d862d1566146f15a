using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Notifications.Channels.Smtp;

/// <summary>Sends the message as a plain-text mail with MailKit; the server's certificate is verified, against <c>CaFile</c> when given.</summary>
internal sealed class SmtpChannel(SecretResolver secrets) : INotificationChannel
{
    public async Task<string> SendAsync(ChannelContext channel, NotificationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(message);
        var o = (SmtpChannelOptions)channel.Settings;
        var mail = new MimeMessage { Subject = message.Subject, Body = new TextPart("plain") { Text = message.Body } };
        mail.From.Add(MailboxAddress.Parse(o.From!));
        mail.To.AddRange(o.To.Select(t => MailboxAddress.Parse(t)));
        mail.Headers.Add("X-OpsAgent-Severity", message.Severity);
        mail.Headers.Add("X-OpsAgent-Host", message.Host);

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(channel.Timeout);
        using var client = new SmtpClient { Timeout = (int)Math.Min(channel.Timeout.TotalMilliseconds, int.MaxValue) };
        if (o.CaFile is not null)
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(o.CaFile);
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors, authority, o.Host!);
        }

        try
        {
            var security = o.Tls ? SecureSocketOptions.SslOnConnect : o.StartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None;
            await client.ConnectAsync(o.Host!, o.Port, security, limit.Token).ConfigureAwait(false);
            if (o.User is not null)
            {
                var password = await ChannelSecrets.ResolveAsync(secrets, o.Password!, channel.PathOf("Password"), limit.Token).ConfigureAwait(false);
                await client.AuthenticateAsync(o.User, password, limit.Token).ConfigureAwait(false);
            }

            var answer = await client.SendAsync(mail, limit.Token).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, limit.Token).ConfigureAwait(false);
            return answer.ReplaceLineEndings(" ").Trim();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NotificationDeliveryException(NotificationReasons.Timeout, $"{o.Host}:{o.Port} did not take the mail within {channel.Timeout}");
        }
        catch (SslHandshakeException ex)
        {
            throw new NotificationDeliveryException(NotificationReasons.TlsInvalid, $"{o.Host}:{o.Port}: the server's certificate does not verify{(o.CaFile is null ? "" : $" against {o.CaFile}")}: {ex.Message.Split('\n')[0]}", ex);
        }
        catch (Exception ex) when (ex is SmtpCommandException or AuthenticationException or SmtpProtocolException or NotSupportedException
            or ServiceNotAuthenticatedException or CommandException or ProtocolException)
        {
            throw new NotificationDeliveryException(NotificationReasons.SmtpRefused, $"{o.Host}:{o.Port}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is SocketException or IOException or ServiceNotConnectedException)
        {
            throw new NotificationDeliveryException(NotificationReasons.Unreachable, $"{o.Host}:{o.Port}: {ex.Message}", ex);
        }
    }

    /// <summary>The chain ends at <paramref name="authority"/> (and only there) and the name matches.</summary>
    private static bool Trusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 authority, string host)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf) && leaf.MatchesHostname(host);
    }
}
