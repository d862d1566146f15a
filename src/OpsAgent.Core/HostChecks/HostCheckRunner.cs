using OpsAgent.Core.Configuration;
using OpsAgent.Core.Docker;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Core.HostChecks;

/// <summary>Runs every capability's <see cref="IHostCheck"/> over a loaded configuration (<c>check-config</c>).</summary>
/// <param name="checks">The registered checks.</param>
/// <param name="secrets">Resolves secrets (and registers them for redaction).</param>
/// <param name="docker">Docker clients by endpoint.</param>
/// <param name="tools">Runs systemctl.</param>
public sealed class HostCheckRunner(IEnumerable<IHostCheck> checks, SecretResolver secrets, DockerClientProvider docker, ToolRunner tools)
{
    /// <summary>
    /// The limit of each host call: long enough for a loaded Docker daemon to answer, short enough that an endpoint that
    /// never answers does not leave check-config hanging.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Every finding, errors first, each with the <c>FILE:LINE</c> that sets its path when a file does.</summary>
    public async Task<IReadOnlyList<(HostFinding Finding, string? Line)>> RunAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var context = new HostCheckContext(configuration, secrets, docker, tools, DefaultTimeout);
        foreach (var check in checks)
        {
            await check.CheckAsync(configuration, context, cancellationToken).ConfigureAwait(false);
        }

        return context.Findings
            .Distinct()
            .OrderBy(f => f.Severity)
            .Select(f => (f, ConfigurationLines.Find(configuration.Files, f.Path)))
            .ToList();
    }
}
