using System.Diagnostics;
using System.Net.Sockets;
using OpsAgent.Core.Networking;

namespace OpsAgent.Health.Checks.Tcp;

/// <summary>TCP probe: a connection is accepted within the timeout.</summary>
internal sealed class TcpProbe : ProbeType<TcpProbeOptions>
{
    protected override async Task<ProbeResult> CheckAsync(string probe, ProbeOptions probeOptions, TcpProbeOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(options.Host!, options.Port!.Value, cancellationToken).ConfigureAwait(false);
            return ProbeResult.Ok(clock.Elapsed, $"connected to {options.Host}:{options.Port}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail(ProbeReasons.Timeout, $"no connection to {options.Host}:{options.Port} within the timeout", clock.Elapsed);
        }
        catch (SocketException ex)
        {
            return ProbeResult.Fail(SocketReasons.Of(ex), ex.Message, clock.Elapsed);
        }
    }
}
