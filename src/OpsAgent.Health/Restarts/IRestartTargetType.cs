using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;

namespace OpsAgent.Health.Restarts;

/// <summary>A restart target type as the validator, the supervisor and <c>check-config</c> see it.</summary>
internal interface IRestartTargetType
{
    /// <summary>Adds the target's problems at paths under <c>Restart</c>.</summary>
    void Validate(string path, object target, ValidationCollector errors);

    /// <summary>What is restarted, for logs and <c>/status</c> (<c>unit backend.service</c>).</summary>
    string Describe(object target);

    /// <summary>What <c>check-config</c> verifies on this host.</summary>
    Task CheckHostAsync(string path, object target, HostCheckContext context, CancellationToken cancellationToken);

    /// <summary>The target to restart.</summary>
    IRestartTarget Create(object target, RestartOptions restart);
}
