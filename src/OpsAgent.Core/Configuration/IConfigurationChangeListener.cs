namespace OpsAgent.Core.Configuration;

/// <summary>Told about a reloaded configuration once it is applied, as YARP's <c>IProxyConfigChangeListener</c> is.</summary>
/// <remarks>
/// Listeners are registered in DI and awaited one after another; each is isolated: one that throws is logged with its
/// cause and the others are still told. The reload has succeeded by then and stays in force.
/// </remarks>
public interface IConfigurationChangeListener
{
    /// <summary>Called after <paramref name="configuration"/> replaced the previous one and its jobs were scheduled.</summary>
    Task ConfigurationAppliedAsync(AgentConfiguration configuration, CancellationToken cancellationToken);
}
