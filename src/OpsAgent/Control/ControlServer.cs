using System.Net.Sockets;
using System.Text.Json;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Logging;

namespace OpsAgent.Control;

/// <summary>
/// Listens on <c>Control:Socket</c> (a Unix socket, mode 0600) and runs the CLI's verbs inside the daemon: under its
/// sandbox, with its metrics and journal, instead of in a shell that has neither.
/// </summary>
/// <remarks>The socket's path is read at start; a change applies at the next restart, like <c>Http:Listen</c>.</remarks>
internal sealed partial class ControlServer(AgentConfigurationManager configuration, ControlVerbRunner verbs, ILogger<ControlServer> logger) : BackgroundService
{
    private const int MaxRequestBytes = 64 * 1024;

    private Socket? _listener;
    private string? _path;

    /// <summary>Binds before the host reports itself started (READY=1): a CLI run right after start finds the socket.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = configuration.Current.Agent.Control.Socket;
        if (path.Length > 0 && Socket.OSSupportsUnixDomainSockets && !OperatingSystem.IsWindows())
        {
            try
            {
                _listener = await BindAsync(path, cancellationToken).ConfigureAwait(false);
                _path = path;
                LogListening(logger, path);
            }
            catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
            {
                LogUnavailable(logger, path, ex.Message);
            }
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_listener is not { } listener)
        {
            return;
        }

        using (listener)
        {
            try
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    var client = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                    _ = ServeAsync(client, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            finally
            {
                TryDelete(_path!);
            }
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static async Task<Socket> BindAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            // A socket file left by a killed daemon is removed; one a live daemon answers on is not taken over.
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                throw new IOException("another agent is listening on it");
            }
            catch (SocketException)
            {
                File.Delete(path);
            }
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            // Whoever can connect can run backups and reloads: the owner (root) only.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(16);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        using (client)
        await using (var stream = new NetworkStream(client, ownsSocket: false))
        {
            ControlRequest? request;
            try
            {
                request = await ReadRequestAsync(stream, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or JsonException or SocketException or OperationCanceledException)
            {
                return;
            }

            using var writer = new ControlWriter(stream);
            if (request is null)
            {
                writer.WriteLine("the daemon could not read the request (an opsagent CLI of another version?)");
                writer.Finish(2);
                return;
            }

            // `opsagent probe run new --config /tmp/candidate.json` beside a running daemon is about that file, not the
            // daemon's: the CLI runs it in its own process instead.
            var runs = Path.GetFullPath(configuration.Files.MainFile);
            if (request.Config is { } asked && !string.Equals(Canonical(asked), Canonical(runs), StringComparison.Ordinal))
            {
                writer.RunsOther(runs);
                return;
            }

            // The verb stops when the daemon stops or the CLI goes away (Ctrl-C), as it would in the CLI's own process.
            using var verb = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            _ = WatchHangUpAsync(stream, verb);
            LogRequest(logger, request.Verb, request.Name ?? "-");
            int exit;
            try
            {
                exit = await verbs.RunAsync(request, writer, verb.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (verb.IsCancellationRequested)
            {
                writer.WriteLine(stoppingToken.IsCancellationRequested ? "cancelled: the daemon is stopping" : "cancelled");
                exit = 1;
            }

            writer.Finish(exit);
        }
    }

    /// <summary>The file a path names, through symbolic links.</summary>
    private static string Canonical(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Path.GetFullPath(path);
        }
    }

    private static async Task<ControlRequest?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length, 1), cancellationToken).ConfigureAwait(false);
            if (read == 0 || buffer[length] == (byte)'\n')
            {
                break;
            }

            length += read;
        }

        return length == 0 ? null : JsonSerializer.Deserialize(buffer.AsSpan(0, length), ControlJsonContext.Default.ControlRequest);
    }

    private static async Task WatchHangUpAsync(Stream stream, CancellationTokenSource verb)
    {
        try
        {
            var buffer = new byte[1];
            while (await stream.ReadAsync(buffer, verb.Token).ConfigureAwait(false) > 0)
            {
            }

            await verb.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    [LoggerMessage(EventId = EventIds.Control.Listening, Level = LogLevel.Information, Message = "Control socket {SocketPath}: the CLI's verbs run in the daemon")]
    private static partial void LogListening(ILogger logger, string socketPath);

    [LoggerMessage(EventId = EventIds.Control.Unavailable, Level = LogLevel.Warning, Message = "Control socket {SocketPath} unavailable ({Error}): CLI verbs run in their own process")]
    private static partial void LogUnavailable(ILogger logger, string socketPath, string error);

    [LoggerMessage(EventId = EventIds.Control.Request, Level = LogLevel.Information, Message = "Control: {Verb} {Name} asked by the CLI")]
    private static partial void LogRequest(ILogger logger, string verb, string name);
}
