using OpsAgent.Core.Configuration;
using OpsAgent.Core.Scheduling;
using OpsAgent.Health.Checks;

namespace OpsAgent.Health;

/// <summary>One scheduled run of one probe: attempt, then the state machine.</summary>
internal sealed class ProbeJob(AgentJobServices services, ProbeRunner runner, ProbeSupervisor supervisor) : AgentJob(services)
{
    /// <summary>The Quartz group of probe jobs.</summary>
    public const string Kind = "probe";

    protected override async Task<JobOutcome> RunAsync(JobRunContext run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var all = run.Configuration.Get<ProbesOptions>();
        if (!all.Probes.TryGetValue(run.Name, out var options))
        {
            return JobOutcome.Fail(JobReasons.Removed, "the probe is no longer configured");
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

/// <summary>Forgets the state of probes a reload removed.</summary>
internal sealed class ProbeStatePruner(ProbeStateStore store) : IConfigurationChangeListener
{
    public Task ConfigurationAppliedAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        store.Retain(configuration.Get<ProbesOptions>().Probes.Keys);
        return Task.CompletedTask;
    }
}
