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
    /// <param name="configuration">The loaded configuration.</param>
    /// <param name="offline">Check only what the files say (example placeholders), consulting nothing of this host.</param>
    /// <param name="cancellationToken">Stops the checks.</param>
    public async Task<IReadOnlyList<(HostFinding Finding, string? Line)>> RunAsync(AgentConfiguration configuration, bool offline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var context = new HostCheckContext(configuration, secrets, docker, tools, DefaultTimeout, offline);
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
