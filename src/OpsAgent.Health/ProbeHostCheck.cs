using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

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
            foreach (var host in ExampleHosts.OfUrl(probe.Url))
            {
                context.CheckHost($"{path}:Url", host);
            }

            context.CheckHost($"{path}:HostHeader", probe.HostHeader);
            context.CheckHost($"{path}:Host", probe.Host);
            if (probe.Connection is not null && await context.ResolveSecretAsync(probe.Connection, $"{path}:Connection", cancellationToken).ConfigureAwait(false) is { } connection)
            {
                context.CheckConnectionHosts($"{path}:Connection", connection, probe.Type == ProbeType.MongoDb);
            }

            if (probe.Container is { } container)
            {
                await context.CheckContainerAsync($"{path}:Container", container, cancellationToken).ConfigureAwait(false);
            }

            if (probe.Restart?.Container is { } restartContainer)
            {
                await context.CheckContainerAsync($"{path}:Restart:Container", restartContainer, cancellationToken).ConfigureAwait(false);
            }

            if (probe.Unit is { } unit)
            {
                await context.CheckUnitAsync($"{path}:Unit", unit, cancellationToken).ConfigureAwait(false);
            }

            if (probe.Restart?.Unit is { } restartUnit)
            {
                await context.CheckUnitAsync($"{path}:Restart:Unit", restartUnit, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
