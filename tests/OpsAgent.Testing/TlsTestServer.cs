using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace OpsAgent.Testing;

/// <summary>A loopback TLS server choosing its certificate (and the chain it sends) by the SNI name, or hanging without a handshake.</summary>
public sealed class TlsTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, SslStreamCertificateContext> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts listening on a free loopback port.</summary>
    public TlsTestServer()
    {
        _listener.Start();
        _loop = AcceptAsync();
    }

    /// <summary>The port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Accept connections but never answer (a hung endpoint).</summary>
    public bool Hang { get; set; }

    /// <summary>The SNI names seen, in order.</summary>
    public List<string> ServerNames { get; } = [];

    /// <summary>Serves <paramref name="certificate"/> (with <paramref name="chain"/> sent after it) to clients asking for <paramref name="serverName"/>; "*" is the default.</summary>
    public void Serve(string serverName, X509Certificate2 certificate, params X509Certificate2[] chain)
        => _byName[serverName] = SslStreamCertificateContext.Create(certificate, chain.Length == 0 ? null : new X509Certificate2Collection(chain), offline: true);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                if (Hang)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                await using var tls = new SslStream(client.GetStream());
                // The options callback sees the SNI name and can send a chain, which ServerCertificateSelectionCallback cannot.
                await tls.AuthenticateAsServerAsync((_, hello, _, _) =>
                {
                    lock (ServerNames)
                    {
                        ServerNames.Add(hello.ServerName ?? "");
                    }

                    var context = _byName.TryGetValue(hello.ServerName ?? "", out var c) ? c : _byName["*"];
                    return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = context });
                }, null, _stop.Token);
                var buffer = new byte[1];
                _ = await tls.ReadAsync(buffer, _stop.Token);
            }
            catch (Exception)
            {
                // The client closes after the handshake; errors here are the client's business.
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
