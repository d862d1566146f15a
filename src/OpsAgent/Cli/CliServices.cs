using OpsAgent.Backups;
using OpsAgent.Certificates;
using OpsAgent.Core;
using OpsAgent.Health;
using OpsAgent.Notifications;
using OpsAgent.Core.Configuration;
using OpsAgent.Hosting;
using Serilog;
using Serilog.Core;

namespace OpsAgent.Cli;

/// <summary>The container the one-shot verbs (<c>backup</c>, <c>cert</c>, <c>probe</c>, <c>pause</c>) run in: configuration, logging and every capability's services.</summary>
/// <remarks>
/// The verbs work without the daemon, against the same files it reads, and log to the journal like it does. Every
/// capability's section is registered whatever the verb: a configuration with backups, probes and certificates must
/// load for <c>backup restore</c> as it does for the daemon (a section nobody registers is an unknown setting).
/// </remarks>
internal static class CliServices
{
    /// <summary>A service provider with the configuration loaded, or null after printing every configuration error.</summary>
    public static ServiceProvider? Load(string? configPath, TextWriter output, out AgentConfiguration configuration)
    {
        configuration = null!;
        var files = ConfigurationFiles.Resolve(configPath);
        var bootstrap = ConfigurationLoader.ReadFoundationLeniently(files);
        var services = new ServiceCollection();
        var levels = new AgentLogLevels(AgentHost.ParseLevel(bootstrap.Logging.Level));
        services.AddLogging();
        services.AddSerilog(AgentHost.CreateLogger(bootstrap, levels), dispose: true);
        services.AddAgentConfiguration(files);
        services.AddBackupServices();
        services.AddCertificateServices();
        services.AddProbeServices();
        services.AddNotificationServices();
        var provider = services.BuildServiceProvider();
        try
        {
            // Published like the daemon's first load: services that follow the configuration in force (the Docker
            // endpoint, the state directory) read it from the manager, not from the verb.
            configuration = provider.GetRequiredService<AgentConfigurationManager>().LoadInitial();
        }
        catch (ConfigurationInvalidException ex)
        {
            CheckConfigCommand.WriteErrors(files, ex.Errors, output);
            provider.Dispose();
            return null;
        }

        return provider;
    }
}
