using OpsAgent.Core.Configuration;

namespace OpsAgent.Core.Maintenance;

/// <summary>The probe names a configuration defines, for checks in other capabilities that refer to probes.</summary>
/// <remarks>Apart from <see cref="IProbeVerifier"/> because configuration checks are built before the configuration exists: this one depends on nothing.</remarks>
public interface IProbeCatalog
{
    /// <summary>The probes <paramref name="sections"/> configures, or null when the probes section is not loaded.</summary>
    IReadOnlyCollection<string>? ProbeNames(ConfigurationSections sections);

    /// <summary>The backup job names probes refer to (<c>PauseDuringBackups</c>), each with its configuration path.</summary>
    IReadOnlyList<(string Path, string Job)> BackupReferences(ConfigurationSections sections);
}
