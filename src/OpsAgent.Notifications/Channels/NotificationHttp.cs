using System.Net;
using System.Net.Sockets;

namespace OpsAgent.Notifications.Channels;

/// <summary>The one HTTP client of webhooks, ntfy and pings; a failed request becomes a <see cref="NotificationDeliveryException"/>.</summary>
internal sealed class NotificationHttp : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    /// <summary>Sends <paramref name="request"/> within <paramref name="timeout"/>: the status and the start of the body on success.</summary>
    public async Task<string> SendAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.UserAgent.ParseAdd("opsagent");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NotificationDeliveryException(NotificationReasons.Timeout, $"{request.RequestUri?.GetLeftPart(UriPartial.Authority)} did not answer within {timeout}");
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is System.Security.Authentication.AuthenticationException ? NotificationReasons.TlsInvalid : NotificationReasons.Unreachable;
            throw new NotificationDeliveryException(reason, $"{request.RequestUri?.GetLeftPart(UriPartial.Authority)}: {Describe(ex)}", ex);
        }

        using (response)
        {
            string body;
            try
            {
                body = await ReadStartAsync(response, limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                body = "";
            }

            var status = $"{(int)response.StatusCode} {response.ReasonPhrase}".Trim();
            if (!response.IsSuccessStatusCode)
            {
                throw new NotificationDeliveryException($"{NotificationReasons.HttpStatusPrefix}{(int)response.StatusCode}",
                    $"{request.RequestUri?.GetLeftPart(UriPartial.Authority)} answered {status}{(body.Length > 0 ? ": " + body : "")}");
            }

            return body.Length > 0 ? $"{status}: {body}" : status;
        }
    }

    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // A server that answers a megabyte is not read further than a line of it.
        var buffer = new char[200];
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        var read = await reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false);
        return new string(buffer, 0, read).ReplaceLineEndings(" ").Trim();
    }

    private static string Describe(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException socket => socket.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : socket.Message,
        { } inner => inner.Message,
        _ => ex.Message,
    };

    public void Dispose() => _client.Dispose();
}
