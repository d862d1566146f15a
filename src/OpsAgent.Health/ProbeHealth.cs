using OpsAgent.Core.Configuration;
using OpsAgent.Core.Maintenance;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Checks.Disk;

namespace OpsAgent.Health;

/// <summary>The probes' state as the backups ask for it.</summary>
internal sealed class ProbeHealth(ProbeStateStore store, AgentConfigurationManager configuration) : IProbeHealth
{
    public bool? IsHealthy(string probe)
    {
        var probes = configuration.Current.Get<ProbesOptions>().Probes;
        if (!probes.TryGetValue(probe, out var options))
        {
            return null;
        }

        return store.Get(probe, options.StartPeriod).Healthy;
    }

    public IReadOnlyList<(string Probe, string Path, string Message)> CriticalDisks()
    {
        var found = new List<(string, string, string)>();
        foreach (var (name, options) in configuration.Current.Get<ProbesOptions>().Probes)
        {
            if (options.Settings is DiskProbeOptions { Path: { } path } && store.Find(name)?.Last is { Level: ProbeLevel.Critical, Reason: not ProbeReasons.NotFound } last)
            {
                found.Add((name, path, last.Message ?? ""));
            }
        }

        return found;
    }
}
