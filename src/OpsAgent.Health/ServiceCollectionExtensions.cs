using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsAgent.Core;
using OpsAgent.Core.Status;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Restarts;

namespace OpsAgent.Health;

/// <summary>Registers the probe capability.</summary>
public static class HealthServiceCollectionExtensions
{
    /// <summary>Adds the <c>OpsAgent:Probes</c> section and what <c>probe run</c> and <c>pause</c> need (no hosted services).</summary>
    public static IServiceCollection AddProbeServices(this IServiceCollection services)
    {
        services.AddAgentSection<ProbesOptions, ProbesOptionsValidator>(ProbesOptions.SectionName);
        services.TryAddSingleton<Systemctl>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbeCheck, HttpProbe>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbeCheck, TcpProbe>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbeCheck, PostgresProbe>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbeCheck, MongoProbe>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbeCheck, DockerProbe>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbeCheck, SystemdProbe>());
        services.TryAddSingleton<ProbeRunner>();
        services.TryAddSingleton<PauseStore>();
        services.AddHostCheck<ProbeHostCheck>();
        return services;
    }

    /// <summary>Adds probes to the daemon: one job per probe, the restart state machine, metrics and <c>/status</c> items.</summary>
    public static IServiceCollection AddProbes(this IServiceCollection services)
    {
        services.AddProbeServices();
        services.TryAddSingleton<ProbeStateStore>();
        services.TryAddSingleton<IRestartTargetFactory, RestartTargetFactory>();
        services.TryAddSingleton<ProbeSupervisor>();
        services.AddAgentMetrics<ProbeMetrics>();
        services.AddSingleton<IStatusItemSource>(sp => sp.GetRequiredService<ProbeMetrics>());
        services.AddJobSource<ProbeJobSource>();
        services.AddConfigurationListener<ProbeStartup>();
        return services;
    }
}
