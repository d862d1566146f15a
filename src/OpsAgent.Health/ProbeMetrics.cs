using System.Diagnostics.Metrics;
using System.Globalization;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Status;
using OpsAgent.Health.Checks;

namespace OpsAgent.Health;

/// <summary>The probe and restart series (docs/metrics.md), and <c>/status</c> items, for the probes currently configured.</summary>
internal sealed class ProbeMetrics : IStatusItemSource
{
    private readonly ProbeStateStore _store;
    private readonly AgentConfigurationManager _configuration;

    /// <summary>Registers the instruments on the agent's meter.</summary>
    public ProbeMetrics(AgentMetrics metrics, ProbeStateStore store, AgentConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _store = store;
        _configuration = configuration;
        static KeyValuePair<string, object?> Probe(string probe) => new("probe", probe);
        var meter = metrics.Meter;
        meter.CreateObservableGauge("opsagent_probe_success", () => Probes().Where(p => p.State.Last is not null)
            .Select(p => new Measurement<long>(p.State.Last!.Success ? 1 : 0, Probe(p.Name))), description: "1 when the last attempt succeeded.");
        meter.CreateObservableGauge("opsagent_probe_healthy", () => Probes().Where(p => p.State.Last is not null)
            .Select(p => new Measurement<long>(p.State.Healthy ? 1 : 0, Probe(p.Name))), description: "1 unless FailureThreshold attempts in a row failed (until SuccessThreshold succeed).");
        meter.CreateObservableGauge("opsagent_probe_duration_seconds", () => Probes().Where(p => p.State.Last is not null)
            .Select(p => new Measurement<double>(p.State.Last!.Latency.TotalSeconds, Probe(p.Name))), description: "Duration of the last attempt.");
        meter.CreateObservableGauge("opsagent_probe_consecutive_failures", () => Probes().Where(p => p.State.Last is not null)
            .Select(p => new Measurement<long>(p.State.ConsecutiveFailures, Probe(p.Name))), description: "Failed attempts in a row.");
        meter.CreateObservableGauge("opsagent_probe_last_success_timestamp_seconds", () => Probes().Where(p => p.State.LastSuccess is not null)
            .Select(p => new Measurement<double>(p.State.LastSuccess!.Value.ToUnixTimeMilliseconds() / 1000.0, Probe(p.Name))), description: "Unix time of the last successful attempt.");
        meter.CreateObservableGauge("opsagent_probe_level", () => Probes().Where(p => p.State.Last is not null)
            .Select(p => new Measurement<long>((long)p.State.Level, Probe(p.Name))), description: "0 ok, 1 warning (or a critical attempt below FailureThreshold), 2 critical (failing).");
        meter.CreateObservableGauge("opsagent_probe_value", () => Probes().Where(p => p.State.Last is not null)
            .SelectMany(p => p.State.Last!.Measures.Select(m => new Measurement<double>(m.Value, Probe(p.Name), new("measure", m.Name)))),
            description: "What the last attempt measured, by measure (used_ratio, free_bytes, memory_bytes, latency_seconds, ...).");
        meter.CreateObservableCounter("opsagent_restarts", () => Probes().Where(p => p.Options.Restart is not null).SelectMany(p => new[]
        {
            new Measurement<long>(p.State.Recovered, Probe(p.Name), new("result", "recovered")),
            new Measurement<long>(p.State.NotRecovered, Probe(p.Name), new("result", "not_recovered")),
            new Measurement<long>(p.State.Errors, Probe(p.Name), new("result", "error")),
        }), description: "Restarts issued, by result (recovered|not_recovered|error).");
        meter.CreateObservableGauge("opsagent_restart_suppressed", () => Probes().Where(p => p.Options.Restart is not null)
            .Select(p => new Measurement<long>(p.State.Suppressed ? 1 : 0, Probe(p.Name))), description: "1 while restarts are suppressed after MaxRestarts in Window.");
    }

    private IEnumerable<(string Name, ProbeOptions Options, ProbeState State)> Probes()
    {
        foreach (var (name, options) in _configuration.Current.Get<ProbesOptions>().Probes)
        {
            yield return (name, options, _store.Get(name, options.StartPeriod));
        }
    }

    public IEnumerable<StatusItem> GetItems()
    {
        foreach (var (name, options, state) in Probes())
        {
            var details = new Dictionary<string, string>
            {
                ["type"] = options.Type?.ToLowerInvariant() ?? "",
                ["consecutiveFailures"] = state.ConsecutiveFailures.ToString(CultureInfo.InvariantCulture),
                ["latencyMs"] = state.Last is null ? "" : state.Last.Latency.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture),
            };
            details["level"] = state.Level.ToString().ToLowerInvariant();
            foreach (var measure in state.Last?.Measures ?? [])
            {
                details[$"measure.{measure.Name}"] = measure.Value.ToString("R", CultureInfo.InvariantCulture);
            }

            if (state.LastSuccess is { } success)
            {
                details["lastSuccess"] = success.ToString("O", CultureInfo.InvariantCulture);
            }

            if (options.Restart is not null)
            {
                details["restartsInWindow"] = state.Restarts.Count.ToString(CultureInfo.InvariantCulture);
                details["target"] = options.Restart.Describe();
            }

            yield return new StatusItem("probe", name, state.Name, state.Last?.Reason, state.Last?.Message, state.LastRun, details);
        }
    }
}
