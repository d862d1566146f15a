using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Status;
using OpsAgent.Health.Checks;
using OpsAgent.Health.Checks.Cpu;
using OpsAgent.Health.Checks.Disk;
using OpsAgent.Health.Checks.Docker;
using OpsAgent.Health.Checks.Http;
using OpsAgent.Health.Checks.Log;
using OpsAgent.Health.Checks.Memory;
using OpsAgent.Health.Checks.MongoDb;
using OpsAgent.Health.Checks.Postgres;
using OpsAgent.Health.Checks.Systemd;
using OpsAgent.Health.Checks.Tcp;
using OpsAgent.Health.Restarts;
using OpsAgent.Health.Restarts.Container;
using OpsAgent.Health.Restarts.Unit;
using OpsAgent.Health.Restarts.WindowsService;

namespace OpsAgent.Health;

/// <summary>Registers the probe capability.</summary>
public static class HealthServiceCollectionExtensions
{
    /// <summary>Adds the <c>OpsAgent:Probes</c> section and what <c>probe run</c> and <c>pause</c> need (no hosted services).</summary>
    public static IServiceCollection AddProbeServices(this IServiceCollection services)
    {
        services.AddAgentSection<ProbesOptions, ProbesOptionsValidator>(ProbesOptions.SectionName);
        services.TryAddSingleton<Systemctl>();
        // Checks and targets are built when a probe first runs or restarts, never while a configuration is validated.
        services.TryAddSingleton(sp => new ProbeTypes(sp.GetServices<ConfigurationKind>().Where(k => k.EntryType == typeof(ProbeOptions))
            .Select(k => KeyValuePair.Create(k.Name, sp.GetRequiredKeyedService<IProbeCheck>(k.SettingsType)))));
        services.TryAddSingleton(sp => new RestartTargetTypes(sp.GetServices<ConfigurationKind>().Where(k => k.EntryType == typeof(RestartOptions))
            .Select(k => (k.SettingsType, sp.GetRequiredKeyedService<IRestartTargetFactory>(k.SettingsType)))));

        // The probe types, in the order messages and docs list them.
        services.AddProbeType<HttpProbe, HttpProbeOptions>("http");
        services.AddProbeType<TcpProbe, TcpProbeOptions>("tcp");
        services.AddProbeType<PostgresProbe, PostgresProbeOptions>("postgres");
        services.AddProbeType<MongoProbe, MongoProbeOptions>("mongodb");
        services.AddProbeType<DockerProbe, DockerProbeOptions>("docker");
        services.AddProbeType<SystemdProbe, SystemdProbeOptions>("systemd");
        services.AddProbeType<DiskProbe, DiskProbeOptions>("disk");
        services.AddProbeType<MemoryProbe, MemoryProbeOptions>("memory");
        services.AddProbeType<LogProbe, LogProbeOptions>("log");
        services.AddProbeType<CpuProbe, CpuProbeOptions>("cpu");

        // The restart targets, by the key that selects each under Restart.
        services.AddRestartTarget<UnitTargetType, UnitTargetOptions>("Unit");
        services.AddRestartTarget<ContainerTargetType, ContainerTargetOptions>("Container");
        services.AddRestartTarget<WindowsServiceTargetType, WindowsServiceTargetOptions>("WindowsService");

        services.TryAddSingleton<ProbeRunner>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Core.Notifications.IPingCatalog, ProbePingCatalog>());
        services.TryAddSingleton<Core.Maintenance.IProbeVerifier, ProbeVerifier>();
        services.TryAddSingleton<Core.Maintenance.IProbeCatalog, ProbeCatalog>();
        services.TryAddSingleton<PauseStore>();
        services.AddHostCheck<ProbeHostCheck>();
        // The CLI loads the configuration as the daemon does: the same jobs, so the same checks and the same count logged.
        services.AddJobSource<ProbeJobSource>();
        return services;
    }

    /// <summary>Adds probes to the daemon: one job per probe, the restart state machine, metrics and <c>/status</c> items.</summary>
    public static IServiceCollection AddProbes(this IServiceCollection services)
    {
        services.AddProbeServices();
        services.TryAddSingleton<ProbeStateStore>();
        // Only where probes run (the daemon): a CLI process has no probe states to ask.
        services.TryAddSingleton<Core.Maintenance.IProbeHealth, ProbeHealth>();
        services.TryAddSingleton<IRestartTargetFactory>(sp => sp.GetRequiredService<RestartTargetTypes>());
        services.TryAddSingleton<ProbeSupervisor>();
        services.AddAgentMetrics<ProbeMetrics>();
        services.AddSingleton<IStatusItemSource>(sp => sp.GetRequiredService<ProbeMetrics>());
        services.AddConfigurationListener<ProbeStatePruner>();
        return services;
    }

    /// <summary>
    /// Adds a probe type: <c>"Type": "<paramref name="name"/>"</c> selects <typeparamref name="TType"/>, whose settings
    /// <typeparamref name="TOptions"/> binds from the probe's own JSON object.
    /// </summary>
    public static IServiceCollection AddProbeType<TType, TOptions>(this IServiceCollection services, string name)
        where TType : ProbeType<TOptions>
        where TOptions : class, IProbeSettings, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (services.TryAddConfigurationKind<ProbeOptions, TOptions>(nameof(ProbeOptions.Type), name))
        {
            services.AddKeyedSingleton<IProbeCheck, TType>(typeof(TOptions));
        }

        return services;
    }

    /// <summary>
    /// Adds a restart target type: the key <paramref name="key"/> under <c>Restart</c> selects <typeparamref name="TType"/>,
    /// whose settings <typeparamref name="TOptions"/> (holding that key) binds from the <c>Restart</c> object.
    /// </summary>
    public static IServiceCollection AddRestartTarget<TType, TOptions>(this IServiceCollection services, string key)
        where TType : RestartTargetType<TOptions>
        where TOptions : class, IRestartTargetSettings, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (services.TryAddConfigurationKind<RestartOptions, TOptions>(null, key))
        {
            services.AddKeyedSingleton<IRestartTargetFactory, TType>(typeof(TOptions));
        }

        return services;
    }
}
