using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Checks;

/// <summary>
/// What a probe type's options know about themselves: their problems, what they probe, what <c>check-config</c> verifies.
/// </summary>
/// <remarks>
/// On the options rather than on the check, so that validating a configuration never builds a check (whose Docker client,
/// for one, reads the configuration being validated).
/// </remarks>
public interface IProbeSettings
{
    /// <summary>Adds the settings' problems at <c>{path}:Key</c>; <paramref name="path"/> is the probe's path.</summary>
    void Validate(string path, ValidationCollector errors);

    /// <summary>
    /// Adds the problems only the whole entry shows (a <c>Restart</c> a type has nothing to restart for, a threshold that
    /// needs <c>FailureThreshold</c>); <paramref name="probe"/> is never null, its values may be anything a file holds.
    /// </summary>
    void ValidateEntry(string path, ProbeOptions probe, ValidationCollector errors)
    {
    }

    /// <summary>What is probed, for job descriptions (<c>https://host/health</c>, <c>container app</c>).</summary>
    string Describe();

    /// <summary>What <c>check-config</c> verifies on this host (example hosts, secrets, containers, units).</summary>
    Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken);
}
