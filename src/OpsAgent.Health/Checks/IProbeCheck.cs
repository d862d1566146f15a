using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Checks;

/// <summary>A probe type as the runner, the validator and <c>check-config</c> see it: settings are the type's own options object.</summary>
internal interface IProbeCheck
{
    /// <summary>The options type of the type's settings.</summary>
    Type OptionsType { get; }

    /// <summary>Adds the settings' problems, at paths under the probe's <paramref name="path"/>.</summary>
    void Validate(string path, object settings, ValidationCollector errors);

    /// <summary>What is probed, for job descriptions (<c>https://host/health</c>, <c>container app</c>).</summary>
    string Describe(object settings);

    /// <summary>What <c>check-config</c> verifies on this host (example hosts, secrets, containers, units).</summary>
    Task CheckHostAsync(string path, object settings, HostCheckContext context, CancellationToken cancellationToken);

    /// <summary>Runs once; the token carries the probe's timeout. Never throws for target failures.</summary>
    Task<ProbeResult> CheckAsync(string probe, ProbeOptions options, CancellationToken cancellationToken);
}
