using System.Collections.Concurrent;
using Docker.DotNet;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.Docker;

/// <summary>Hands out a Docker Engine API client for the configured <c>OpsAgent:Docker:Endpoint</c>.</summary>
/// <remarks>
/// Clients are cached per endpoint; a reload that changes the endpoint simply gets a new one. The cache holds them as
/// <see cref="IDisposable"/> so that building this provider (every daemon does) does not load Docker.DotNet: a host
/// with no container job never pays for it.
/// </remarks>
public sealed class DockerClientProvider : IDisposable
{
    private readonly ConcurrentDictionary<string, IDisposable> _clients = new(StringComparer.Ordinal);
    private readonly Func<string> _endpoint;

    /// <summary>Follows <c>OpsAgent:Docker:Endpoint</c> in the configuration in force.</summary>
    public DockerClientProvider(AgentConfigurationManager configuration)
        : this(() => configuration.Current.Agent.Docker.Endpoint)
    {
        ArgumentNullException.ThrowIfNull(configuration);
    }

    /// <summary>Uses the endpoint <paramref name="endpoint"/> returns.</summary>
    public DockerClientProvider(Func<string> endpoint) => _endpoint = endpoint;

    /// <summary>The client for the endpoint in force.</summary>
    public DockerClient Get() => Get(_endpoint());

    /// <summary>The client for <paramref name="endpoint"/>.</summary>
    public DockerClient Get(string endpoint)
        => (DockerClient)_clients.GetOrAdd(endpoint, static e => new DockerClientConfiguration(new Uri(e), defaultTimeout: Timeout.InfiniteTimeSpan).CreateClient());

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
