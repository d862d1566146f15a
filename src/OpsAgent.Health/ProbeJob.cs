using System.Globalization;
using Microsoft.Extensions.Hosting;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Scheduling;
using OpsAgent.Core.Status;
using System.Diagnostics.Metrics;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Restarts;

namespace OpsAgent.Health;

/// <summary>One scheduled run of one probe: attempt, then the state machine.</summary>
internal sealed class ProbeJob(AgentJobServices services, ProbeRunner runner, ProbeSupervisor supervisor) : AgentJob(services)
{
    /// <summary>The Quartz group of probe jobs.</summary>
    public const string Kind = "probe";

    /// <inheritdoc />
    protected override async Task<JobOutcome> RunAsync(JobRunContext run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var all = run.Configuration.Get<ProbesOptions>();
        if (!all.Probes.TryGetValue(run.Name, out var options))
        {
            return JobOutcome.Fail("removed", "the probe is no longer configured");
        }

        var result = await runner.RunAsync(run.Name, options, cancellationToken).ConfigureAwait(false);
        var state = await supervisor.StepAsync(run.Name, options, all, run.Configuration.Agent.StateDirectory, result, cancellationToken).ConfigureAwait(false);
        return result.Success ? JobOutcome.Ok($"{state.Name}: {result.Message}") : JobOutcome.Fail(result.Reason ?? "failure", $"{state.Name}: {result.Message}");
    }
}

/// <summary>One job per probe, every <c>Every</c>; a missed run is skipped (a late probe is worthless).</summary>
internal sealed class ProbeJobSource : IJobSource
{
    public IEnumerable<AgentJobDefinition> GetJobs(AgentConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var (name, o) in configuration.Get<ProbesOptions>().Probes)
        {
            var what = (o.Settings as IProbeSettings)?.Describe();
            var restart = o.Restart is null ? "report only" : $"restart {o.Restart.Describe()} (at most {o.Restart.MaxRestarts} in {o.Restart.Window})";
            yield return new AgentJobDefinition(ProbeJob.Kind, name, ScheduleSpec.FromInterval(o.Every), typeof(ProbeJob))
            {
                Description = $"{o.Type?.ToLowerInvariant()} {what}; failing after {o.FailureThreshold}; {restart}",
            };
        }
    }
}

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

    /// <inheritdoc />
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

/// <summary>Creates the probe instruments at start and forgets the state of probes a reload removed.</summary>
internal sealed class ProbeStartup(ProbeStateStore store, ProbeMetrics metrics) : IHostedService, IConfigurationChangeListener
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Injected only so the container creates the instruments now.
        _ = metrics;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task ConfigurationAppliedAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        store.Retain(configuration.Get<ProbesOptions>().Probes.Keys);
        return Task.CompletedTask;
    }
}
