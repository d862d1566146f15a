namespace OpsAgent.Core.Configuration;

/// <summary>Puts a validated configuration into effect (the scheduler's jobs), awaited by the reload that accepted it.</summary>
/// <remarks>
/// A failure rejects the reload: it is logged with its cause and counted as a failed reload, the previous configuration
/// is published and applied again, and <c>opsagent reload</c> exits 1 saying why. Registered in DI, resolved at the first
/// reload (an applier may itself depend on <see cref="AgentConfigurationManager"/>).
/// </remarks>
public interface IConfigurationApplier
{
    /// <summary>Brings what runs in line with <paramref name="configuration"/>.</summary>
    Task ApplyAsync(AgentConfiguration configuration, CancellationToken cancellationToken);
}
