using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.HostChecks;

/// <summary>
/// A capability's checks of a loaded configuration against this host (files, tools, containers, units, the sandbox),
/// run by <c>check-config</c> after validation; registered with <see cref="ServiceCollectionExtensions.AddHostCheck{TCheck}"/>.
/// </summary>
public interface IHostCheck
{
    /// <summary>Adds what is wrong to <paramref name="context"/>; each call to the host is bounded by the context's timeout.</summary>
    Task CheckAsync(AgentConfiguration configuration, HostCheckContext context, CancellationToken cancellationToken);
}
