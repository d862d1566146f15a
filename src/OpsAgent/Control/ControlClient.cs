using System.Net.Sockets;
using System.Text.Json;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Control;

/// <summary>The CLI's side: hands a verb to the running daemon, or says there is none and lets the verb run here.</summary>
internal static class ControlClient
{
    /// <summary>
    /// Runs <paramref name="request"/> in the daemon when one answers on the configured socket, else <paramref name="inProcess"/>
    /// with the CLI's own services and configuration (exit 1 after printing the configuration's errors).
    /// </summary>
    public static async Task<int> RunAsync(string? configPath, ControlRequest request, TextWriter output, TextWriter notes,
        Func<IServiceProvider, AgentConfiguration, Task<int>> inProcess, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = SocketPath(configPath);
        var main = Path.GetFullPath(ConfigurationFiles.Resolve(configPath).MainFile);
        var answer = await TryAskAsync(path, request with { Config = main }, output, cancellationToken).ConfigureAwait(false);
        if (answer.Exit is { } exit)
        {
            return exit;
        }

        await notes.WriteLineAsync(path.Length == 0 ? "(the control socket is disabled: running in this process, outside the daemon's sandbox, metrics and journal)"
            : answer.DaemonRuns is { } other ? $"(the daemon on {path} runs {other}, not {main}: running in this process)"
            : $"(no daemon answers on {path}: running in this process)").ConfigureAwait(false);
        using var provider = Cli.CliServices.Load(configPath, output, out var configuration);
        return provider is null ? 1 : await inProcess(provider, configuration).ConfigureAwait(false);
    }

    /// <summary>The configured <c>Control:Socket</c> (read leniently: a broken configuration still finds the daemon).</summary>
    public static string SocketPath(string? configPath)
        => ConfigurationLoader.ReadFoundationLeniently(ConfigurationFiles.Resolve(configPath)).Control.Socket;

    /// <summary>The verb's exit code from the daemon; no exit code when no daemon answers or it runs another configuration file.</summary>
    public static async Task<ControlAnswer> TryAskAsync(string path, ControlRequest request, TextWriter output, CancellationToken cancellationToken)
    {
        if (path.Length == 0 || !Socket.OSSupportsUnixDomainSockets || !File.Exists(path))
        {
            return new ControlAnswer(null);
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return new ControlAnswer(null);
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var line = JsonSerializer.SerializeToUtf8Bytes(request, ControlJsonContext.Default.ControlRequest);
        await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        stream.WriteByte((byte)'\n');
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } received)
        {
            var message = JsonSerializer.Deserialize(received, ControlJsonContext.Default.ControlMessage);
            if (message?.Runs is { } other)
            {
                return new ControlAnswer(null, other);
            }

            if (message?.Exit is { } exit)
            {
                return new ControlAnswer(exit);
            }

            if (message?.Out is { } text)
            {
                await output.WriteLineAsync(text).ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync("the daemon closed the control connection before the verb finished (was it stopped?)").ConfigureAwait(false);
        return new ControlAnswer(1);
    }
}
