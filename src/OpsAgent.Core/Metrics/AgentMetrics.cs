using System.Diagnostics.Metrics;
using System.Reflection;

namespace OpsAgent.Core.Metrics;

/// <summary>The agent's meter and its foundation instruments (docs/metrics.md).</summary>
/// <remarks>
/// Per-name series (jobs, probes, certificates) are observable instruments read from state stores at scrape time, so a
/// job removed by a reload disappears from <c>/metrics</c> instead of lingering as a stale series.
/// No units are set on instruments: the exporter would append them to names that already end in <c>_seconds</c>.
/// </remarks>
public sealed class AgentMetrics : IDisposable
{
    /// <summary>The meter name; capabilities add instruments to <see cref="Meter"/>.</summary>
    public const string MeterName = "OpsAgent";

    private long _reloadSuccesses;
    private long _reloadFailures;
    private long _lastReloadSuccessUnixMs;

    /// <summary>Creates the instruments.</summary>
    public AgentMetrics(TimeProvider time)
    {
        Time = time;
        Meter = new Meter(MeterName, Version);
        Meter.CreateObservableGauge("opsagent_build_info", () => new Measurement<long>(1, new KeyValuePair<string, object?>("version", Version)),
            description: "Always 1; the version label identifies the running build.");
        // Observable, because the first load happens before the metrics pipeline listens; both results are always
        // exported so that increase() works from the first failure on.
        Meter.CreateObservableCounter("opsagent_config_reloads", () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _reloadSuccesses), new KeyValuePair<string, object?>("result", "success")),
            new Measurement<long>(Interlocked.Read(ref _reloadFailures), new KeyValuePair<string, object?>("result", "failure")),
        }, description: "Configuration loads, by result (success|failure).");
        Meter.CreateObservableGauge("opsagent_config_last_reload_success_timestamp_seconds", ObserveLastReload,
            description: "Unix time of the last configuration load that was accepted.");
    }

    /// <summary>The agent version (informational version without the source revision).</summary>
    public static string Version { get; } = (typeof(AgentMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>The meter capabilities add their instruments to.</summary>
    public Meter Meter { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Counts an accepted configuration load.</summary>
    public void ReloadSucceeded()
    {
        Interlocked.Increment(ref _reloadSuccesses);
        Interlocked.Exchange(ref _lastReloadSuccessUnixMs, Time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>Counts a rejected configuration load.</summary>
    public void ReloadFailed() => Interlocked.Increment(ref _reloadFailures);

    private IEnumerable<Measurement<double>> ObserveLastReload()
    {
        var ms = Interlocked.Read(ref _lastReloadSuccessUnixMs);
        if (ms > 0)
        {
            yield return new Measurement<double>(ms / 1000.0);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Meter.Dispose();
}
