using OpsAgent.Core.Configuration;
using OpsAgent.Core.Notifications;

namespace OpsAgent.Health;

/// <summary>The <c>Ping</c> of each probe.</summary>
internal sealed class ProbePingCatalog : IPingCatalog
{
    public string Kind => "probe";

    public PingOptions? Find(AgentConfiguration configuration, string name)
        => configuration?.Get<ProbesOptions>().Probes.GetValueOrDefault(name)?.Ping;
}
