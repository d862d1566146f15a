using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpsAgent.Testing;

/// <summary>A real loopback HTTP server whose answer the test switches: status, body, a delay, a huge body.</summary>
public sealed class HealthTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile Answer _answer = new(200, """{"status":"ok"}""");

    private HealthTestServer(WebApplication app) => _app = app;

    /// <summary>The base URL (http://127.0.0.1:port).</summary>
    public string Url { get; private set; } = "";

    /// <summary>Requests served, with the Host header each carried.</summary>
    public List<string> Hosts { get; } = [];

    /// <summary>Starts on a free loopback port.</summary>
    public static async Task<HealthTestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new HealthTestServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = app.Urls.First();
        return server;
    }

    /// <summary>Answers with <paramref name="status"/> and <paramref name="body"/> from now on.</summary>
    public void Respond(int status, string body, TimeSpan? delay = null, long repeatBodyBytes = 0, string? location = null)
        => _answer = new Answer(status, body, delay ?? TimeSpan.Zero, repeatBodyBytes, location);

    private async Task HandleAsync(HttpContext context)
    {
        lock (Hosts)
        {
            Hosts.Add(context.Request.Host.Value ?? "");
        }

        var answer = _answer;
        if (answer.Delay > TimeSpan.Zero)
        {
            await Task.Delay(answer.Delay, context.RequestAborted);
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json";
        if (answer.Location is not null)
        {
            context.Response.Headers.Location = answer.Location;
        }

        if (answer.RepeatBodyBytes > 0)
        {
            // Streamed without a Content-Length, so the client cannot refuse it from the headers alone.
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            for (long sent = 0; sent < answer.RepeatBodyBytes && !context.RequestAborted.IsCancellationRequested; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }

            return;
        }

        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed record Answer(int Status, string Body, TimeSpan Delay = default, long RepeatBodyBytes = 0, string? Location = null);
}
