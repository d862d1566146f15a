using System.Diagnostics;
using System.Net.Sockets;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Core.Networking;

namespace OpsAgent.Health.Checks.Tcp;

/// <summary>TCP probe: a connection is accepted within the timeout.</summary>
internal sealed class TcpProbe : ProbeType<TcpProbeOptions>
{
    protected override void Validate(string path, TcpProbeOptions options, ValidationCollector errors)
    {
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            errors.Add($"{path}:{nameof(options.Host)}", "required for a tcp probe");
        }

        if (options.Port is null or < 1 or > 65535)
        {
            errors.Add($"{path}:{nameof(options.Port)}", "required for a tcp probe: 1-65535");
        }
    }

    protected override string Describe(TcpProbeOptions options) => $"{options.Host}:{options.Port}";

    protected override Task CheckHostAsync(string path, TcpProbeOptions options, HostCheckContext context, CancellationToken cancellationToken)
    {
        context.CheckHost($"{path}:{nameof(options.Host)}", options.Host);
        return Task.CompletedTask;
    }

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
