using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace OpsAgent.Tests.Support;

/// <summary>
/// A local HTTP server standing in for Healthchecks, Uptime Kuma, Gatus or a webhook receiver (none is installable here):
/// it records every request and answers as <see cref="Mode"/> says (200 with "OK" as Healthchecks does, 500, or never).
/// </summary>
public sealed class HttpRecorder : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();

    private HttpRecorder(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    /// <summary>What the server answers.</summary>
    public enum Answer
    {
        /// <summary>200 with the body "OK".</summary>
        Ok,

        /// <summary>500 with a short body.</summary>
        ServerError,

        /// <summary>Reads the request and never answers.</summary>
        Hang,
    }

    /// <summary>One request as it arrived.</summary>
    public sealed record Request(string Method, string PathAndQuery, string Body, string? Authorization, DateTimeOffset At);

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public Answer Mode { get; set; } = Answer.Ok;

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>A recorder on a free loopback port.</summary>
    public static HttpRecorder Start(int? port = null) => new(port ?? FreePort());

    /// <summary>A loopback port nothing listens on at the moment.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                Requests.Enqueue(new Request(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, body, context.Request.Headers["Authorization"], DateTimeOffset.UtcNow));
                var mode = Mode;
                if (mode == Answer.Hang)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    return;
                }

                context.Response.StatusCode = mode == Answer.Ok ? 200 : 500;
                var text = System.Text.Encoding.UTF8.GetBytes(mode == Answer.Ok ? "OK" : "internal error");
                await context.Response.OutputStream.WriteAsync(text);
                context.Response.Close();
            });
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }
}
