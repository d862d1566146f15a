using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Backups.Copies;

/// <summary>
/// What a copy target type's options know about themselves: their problems, where they point, what <c>check-config</c>
/// verifies. On the options rather than on the target so that validating a configuration never connects anywhere.
/// </summary>
public interface ICopyTargetSettings
{
    /// <summary>Adds the settings' problems at <c>{path}:Key</c>; <paramref name="path"/> is the target's path (<c>OpsAgent:Targets:offsite</c>).</summary>
    void Validate(string path, ValidationCollector errors);

    /// <summary>Where copies go, for logs, <c>backup list</c> and job descriptions (<c>s3://bucket/prefix/</c>, <c>sftp://user@host:22/path</c>), never a secret.</summary>
    string Describe();

    /// <summary>What <c>check-config</c> verifies on this host (secrets resolve, key files readable, tools present); never connects.</summary>
    Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken);
}
