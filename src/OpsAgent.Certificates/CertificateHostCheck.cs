using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Certificates;

/// <summary>What a certificate check needs from this host: real endpoint names (not the examples') and the CA files it names.</summary>
internal sealed class CertificateHostCheck : IHostCheck
{
    public Task CheckAsync(AgentConfiguration configuration, HostCheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var (name, endpoint) in configuration.Get<CertificatesOptions>().Endpoints.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var path = $"{CertificatesOptions.SectionName}:Endpoints:{name}";
            // Written as "host:port" the entry is one line; as an object, Host and ServerName each have their own.
            var asText = configuration.Raw[path] is not null;
            context.CheckHost(asText ? path : $"{path}:Host", endpoint.Host);
            if (!string.IsNullOrWhiteSpace(endpoint.ServerName))
            {
                context.CheckHost($"{path}:ServerName", endpoint.ServerName);
            }

            if (endpoint.TrustedCa is { } ca && !context.Offline && !File.Exists(ca))
            {
                context.Error($"{path}:TrustedCa", $"{ca} does not exist on this host");
            }
        }

        return Task.CompletedTask;
    }
}
