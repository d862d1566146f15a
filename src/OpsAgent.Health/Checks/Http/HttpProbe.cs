using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using OpsAgent.Core.Networking;

namespace OpsAgent.Health.Checks.Http;

/// <summary>HTTP(S) probe: status, JSON fields by dotted path, body text; bodies are read up to <c>MaxBodyBytes</c> and no further.</summary>
internal sealed class HttpProbe : ProbeType<HttpProbeOptions>, IDisposable
{
    private readonly Dictionary<(bool VerifyTls, bool FollowRedirects), HttpClient> _clients = [];
    private readonly Lock _lock = new();

    protected override async Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, HttpProbeOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(options.Method.ToUpperInvariant()), options.Url);
            foreach (var (name, value) in options.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (!string.IsNullOrEmpty(options.HostHeader))
            {
                // Also the TLS server name: the handler takes SNI from the Host header.
                request.Headers.Host = options.HostHeader;
            }

            using var response = await Client(options).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var statusOk = options.ExpectStatus.Count == 0 ? status is >= 200 and < 300 : options.ExpectStatus.Contains(status);
            using var received = await ReadBodyAsync(response, options.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
            if (received is null)
            {
                return ProbeResult.Fail("body_too_large", $"HTTP {status}: the body exceeds {options.MaxBodyBytes} bytes", clock.Elapsed);
            }

            var body = received.Memory;
            if (!statusOk)
            {
                return ProbeResult.Fail($"status_{status}", $"HTTP {status} {response.ReasonPhrase}: {Snippet(body.Span)}", clock.Elapsed);
            }

            if (options.ExpectBodyContains is { Length: > 0 } text && body.Span.IndexOf(Encoding.UTF8.GetBytes(text)) < 0)
            {
                return ProbeResult.Fail("body_mismatch", $"the body does not contain '{text}': {Snippet(body.Span)}", clock.Elapsed);
            }

            if (options.ExpectJson.Count > 0 && MatchJson(body, options.ExpectJson) is { } mismatch)
            {
                return ProbeResult.Fail(mismatch.Reason, mismatch.Message, clock.Elapsed);
            }

            var ok = ProbeResult.Ok(clock.Elapsed, $"HTTP {status}");
            return options.Latency(clock.Elapsed) is { } latency ? ok.With(latency) : ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail(ProbeReasons.Timeout, "no complete answer within the timeout", clock.Elapsed);
        }
        catch (HttpRequestException ex)
        {
            return ProbeResult.Fail(Classify(ex), ex.InnerException?.Message ?? ex.Message, clock.Elapsed);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UriFormatException)
        {
            return ProbeResult.Fail("connection_failed", ex.Message, clock.Elapsed);
        }
    }

    /// <summary>Compares the JSON body with the expectations; null when everything matches.</summary>
    internal static (string Reason, string Message)? MatchJson(ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, List<string>> expected)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return ("json_invalid", $"the body is not JSON ({ex.Message}): {Snippet(body.Span)}");
        }

        using (document)
        {
            // Every mismatch is named, so one look at the journal shows all that is wrong; the reason (a metric label)
            // keeps the first path so it stays stable.
            var mismatches = new List<(string Path, string Problem)>();
            foreach (var (path, accepted) in expected)
            {
                if (!TryNavigate(document.RootElement, path, out var element))
                {
                    mismatches.Add((path, $"{path} is missing; expected {Describe(accepted)}"));
                    continue;
                }

                var actual = element.ValueKind switch
                {
                    JsonValueKind.String => element.GetString()!,
                    JsonValueKind.Null => "null",
                    _ => element.GetRawText(),
                };
                if (!accepted.Contains(actual, StringComparer.Ordinal))
                {
                    mismatches.Add((path, $"{path} is {Truncate(element.GetRawText())}; expected {Describe(accepted)}"));
                }
            }

            return mismatches.Count == 0 ? null : ($"json_mismatch:{mismatches[0].Path}", string.Join("; ", mismatches.Select(m => m.Problem)));
        }
    }

    private static bool TryNavigate(JsonElement root, string path, out JsonElement element)
    {
        element = root;
        foreach (var segment in path.Split('.'))
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(segment, out var child))
            {
                element = child;
            }
            else if (element.ValueKind == JsonValueKind.Array && int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                     && index < element.GetArrayLength())
            {
                element = element[index];
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(List<string> accepted) => accepted.Count == 1 ? $"\"{accepted[0]}\"" : $"one of {string.Join(", ", accepted.Select(a => $"\"{a}\""))}";

    /// <summary>The body in one pooled buffer (sized from Content-Length when given), or null past <paramref name="limit"/>.</summary>
    /// <remarks>Parsed and searched as bytes: no growing stream, no string of the whole body, and the buffer goes back to the pool.</remarks>
    private static async Task<PooledBody?> ReadBodyAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        var declared = response.Content.Headers.ContentLength;
        if (declared > limit)
        {
            return null;
        }

        var body = new PooledBody((int)Math.Min(declared ?? 16 * 1024, limit) + 1);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while ((read = await stream.ReadAsync(body.FreeSpace(), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    body.Advance(read);
                    if (body.Length > limit)
                    {
                        body.Dispose();
                        return null;
                    }
                }
            }

            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>A body read into a rented array.</summary>
    private sealed class PooledBody(int initialSize) : IDisposable
    {
        private byte[]? _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(initialSize);

        public int Length { get; private set; }

        public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

        /// <summary>Room for the next read; doubles the buffer when full (only when Content-Length was absent or wrong).</summary>
        public Memory<byte> FreeSpace()
        {
            if (Length == _buffer!.Length)
            {
                var larger = System.Buffers.ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, Length).CopyTo(larger);
                System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            return _buffer.AsMemory(Length);
        }

        public void Advance(int count) => Length += count;

        public void Dispose()
        {
            if (_buffer is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }
    }

    private static string Classify(HttpRequestException ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException socket:
                    return SocketReasons.Of(socket);
                case AuthenticationException:
                    return "tls_error";
            }
        }

        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "dns_failed",
            HttpRequestError.SecureConnectionError => "tls_error",
            HttpRequestError.ConnectionError => "connection_failed",
            HttpRequestError.ResponseEnded => "connection_closed",
            _ => "http_error",
        };
    }

    private HttpClient Client(HttpProbeOptions options)
    {
        lock (_lock)
        {
            var key = (options.VerifyTls, options.FollowRedirects);
            if (!_clients.TryGetValue(key, out var client))
            {
                var handler = new SocketsHttpHandler
                {
                    AllowAutoRedirect = options.FollowRedirects,
                    UseCookies = false,
                    UseProxy = false,
                    AutomaticDecompression = DecompressionMethods.None,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                };
                if (!options.VerifyTls)
                {
#pragma warning disable CA5359 // VerifyTls: false is the operator's explicit choice for a self-signed backend.
                    handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
                }

                // The probe's own token carries the timeout; the client's would only add a second, coarser one.
                client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
                client.DefaultRequestHeaders.UserAgent.ParseAdd("opsagent-probe");
                _clients[key] = client;
            }

            return client;
        }
    }

    /// <summary>The start of the body as text; only the first bytes are decoded.</summary>
    private static string Snippet(ReadOnlySpan<byte> body) => Truncate(Encoding.UTF8.GetString(body[..Math.Min(body.Length, 800)]).ReplaceLineEndings(" "));

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..197] + "...";

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
