using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Restarts;

namespace OpsAgent.Health;

/// <summary>
/// What a probe needs from this host: its connection secret, no example host in its URL, Host header or connection,
/// and the containers and units it watches or restarts.
/// </summary>
internal sealed class ProbeHostCheck : IHostCheck
{
    public async Task CheckAsync(AgentConfiguration configuration, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var (name, probe) in configuration.Get<ProbesOptions>().Probes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var path = $"{ProbesOptions.SectionName}:{name}";
            if (probe.Settings is IProbeSettings settings)
            {
                await settings.CheckHostAsync(path, context, cancellationToken).ConfigureAwait(false);
            }

            if (probe.Ping is { } ping)
            {
                await ping.CheckHostAsync($"{path}:{nameof(probe.Ping)}", context, cancellationToken).ConfigureAwait(false);
            }

            if (probe.Restart?.Target is IRestartTargetSettings target)
            {
                await target.CheckHostAsync($"{path}:{nameof(probe.Restart)}", context, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
