using System.Collections.Concurrent;
using System.Net.Sockets;
using OpsAgent.Journald;

namespace OpsAgent.Tests.Support;

/// <summary>A Unix datagram socket standing in for journald: collects and decodes every entry sent to it.</summary>
public sealed class JournalCapture : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    public JournalCapture(string path)
    {
        Path = path;
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _reader = Task.Run(ReadAsync);
    }

    public string Path { get; }

    public ConcurrentQueue<Dictionary<string, string>> Entries { get; } = new();

    public string AllText => string.Join("\n", Entries.SelectMany(e => e.Select(kv => $"{kv.Key}={kv.Value}")));

    /// <summary>
    /// The first entry that matches, once it has arrived: the sink sends in the background, so an entry can arrive after
    /// the metric or status that reports the same event. Fails the test when none arrives in time.
    /// </summary>
    public async Task<Dictionary<string, string>> WaitForAsync(Func<Dictionary<string, string>, bool> match, string what, TimeSpan? timeout = null)
    {
        Dictionary<string, string>? found = null;
        await Eventually.WaitAsync(() => Task.FromResult((found = Entries.FirstOrDefault(match)) is not null), what, timeout);
        return found!;
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1024 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                Entries.Enqueue(JournalFields.Decode(buffer.AsSpan(0, n)).ToDictionary(f => f.Key, f => f.Value));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _reader.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
