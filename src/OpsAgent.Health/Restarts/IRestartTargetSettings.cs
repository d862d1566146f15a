using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Restarts;

/// <summary>What a restart target's options know about themselves: their problems, what is restarted, what <c>check-config</c> verifies.</summary>
/// <remarks>On the options rather than on the target type, so that validating a configuration never builds a Docker client or systemctl.</remarks>
public interface IRestartTargetSettings
{
    /// <summary>Adds the settings' problems at <c>{path}:Key</c>; <paramref name="path"/> is the <c>Restart</c> path.</summary>
    void Validate(string path, ValidationCollector errors);

    /// <summary>What is restarted, for logs and <c>/status</c> (<c>unit backend.service</c>).</summary>
    string Describe();

    /// <summary>What <c>check-config</c> verifies on this host.</summary>
    Task CheckHostAsync(string path, HostCheckContext context, CancellationToken cancellationToken);
}
