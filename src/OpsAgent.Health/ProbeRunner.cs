using System.Diagnostics;
using OpsAgent.Health.Checks;

namespace OpsAgent.Health;

/// <summary>Runs one attempt of a probe with its timeout; never throws for a failing target.</summary>
internal sealed class ProbeRunner(ProbeTypes types)
{
    /// <summary>Runs <paramref name="options"/> once.</summary>
    public async Task<ProbeResult> RunAsync(string probe, ProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            var type = types.Find(options.Type) ?? throw new InvalidOperationException($"probe type '{options.Type}' is not registered (the configuration was not validated)");
            return await type.CheckAsync(probe, options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail(ProbeReasons.Timeout, $"no answer within {options.Timeout.TotalSeconds:0.###}s", clock.Elapsed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug or an unexpected library exception must not stop the probe: it is a failure with a reason.
            return ProbeResult.Fail(ProbeReasons.ProbeError, $"{ex.GetType().Name}: {ex.Message}", clock.Elapsed);
        }
    }
}
