using OpsAgent.Core.Configuration;
using Serilog.Core;

namespace OpsAgent.Hosting;

/// <summary>Applies the host's own reloadable settings (log level, state directory check) and says which need a restart.</summary>
internal sealed class HostSettingsListener(AgentLogLevels levels, StateDirectoryCheck stateCheck, string startListen, ILogger<HostSettingsListener> logger)
    : IConfigurationChangeListener
{
    public Task ConfigurationAppliedAsync(AgentConfiguration configuration, CancellationToken cancellationToken)
    {
        levels.Set(AgentHost.ParseLevel(configuration.Agent.Logging.Level));
        stateCheck.Check(configuration.Agent.StateDirectory);
        if (!string.Equals(configuration.Agent.Http.Listen, startListen, StringComparison.OrdinalIgnoreCase))
        {
            HostLog.ListenNeedsRestart(logger, startListen, configuration.Agent.Http.Listen);
        }

        return Task.CompletedTask;
    }
}
