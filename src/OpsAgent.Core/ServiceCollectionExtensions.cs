using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Metrics;
using OpsAgent.Core.Scheduling;
using OpsAgent.Core.Secrets;
using OpsAgent.Core.Status;
using OpsAgent.Core.Systemd;
using Quartz;

namespace OpsAgent.Core;

/// <summary>Registers the agent foundation.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>Adds configuration loading and validation (no hosted services): enough for <c>check-config</c>.</summary>
    public static IServiceCollection AddAgentConfiguration(this IServiceCollection services, ConfigurationFiles files)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(files);
        services.TryAddSingleton(SecretRedactor.Shared);
        services.TryAddSingleton<SecretResolver>();
        services.TryAddSingleton<AgentMetrics>();
        services.TryAddSingleton<AgentConfigurationManager>();
        services.TryAddSingleton<Events.AgentEventHub>();
        services.TryAddSingleton<JobStatusStore>();
        services.TryAddSingleton<Docker.DockerClientProvider>();
        services.TryAddSingleton<Maintenance.StoppedServicesStore>();
        services.TryAddSingleton<Maintenance.BackupActivity>();
        services.TryAddSingleton<Processes.ToolRunner>();
        services.TryAddSingleton<HostChecks.HostCheckRunner>();
        services.TryAddSingleton<Processes.HostCommandRunner>();
        services.AddAgentSection<OpsAgentOptions, OpsAgentOptionsValidator>(OpsAgentOptions.SectionName);
        return services;
    }

    /// <summary>Adds a capability's options section with its validator.</summary>
    public static IServiceCollection AddAgentSection<TOptions, TValidator>(this IServiceCollection services, string path)
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddAgentSection<TOptions>(path);
    }

    /// <summary>Adds an options section whose validators are registered separately.</summary>
    public static IServiceCollection AddAgentSection<TOptions>(this IServiceCollection services, string path)
        where TOptions : class, new()
    {
        services.AddSingleton<IAgentSection>(sp => new AgentSection<TOptions>(path, sp.GetServices<IValidateOptions<TOptions>>(), sp.GetServices<ConfigurationKind>()));
        return services;
    }

    /// <summary>
    /// Adds a kind of <typeparamref name="TEntry"/> (a probe type, a restart target, a backup engine) whose settings
    /// <typeparamref name="TSettings"/> binds from the entry's own JSON object.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="discriminator">The key naming the kind (<c>Type</c>), or null when the kind is selected by its key being present.</param>
    /// <param name="name">The kind's name.</param>
    /// <returns>False when this kind was already registered, so the caller adds nothing more.</returns>
    /// <exception cref="ArgumentException">Another kind of the same entry has the name.</exception>
    public static bool TryAddConfigurationKind<TEntry, TSettings>(this IServiceCollection services, string? discriminator, string name)
        where TEntry : class
        where TSettings : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        var taken = services.Select(d => d.IsKeyedService ? null : d.ImplementationInstance).OfType<ConfigurationKind>()
            .FirstOrDefault(k => k.EntryType == typeof(TEntry) && string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));
        if (taken is not null)
        {
            return taken.SettingsType == typeof(TSettings) ? false
                : throw new ArgumentException($"'{name}' is already registered for {typeof(TEntry).Name} with {taken.SettingsType.Name}", nameof(name));
        }

        services.AddSingleton(new ConfigurationKind(typeof(TEntry), discriminator, name, typeof(TSettings)));
        return true;
    }

    /// <summary>Adds a check across sections, run on every load (<see cref="IConfigurationCheck"/>).</summary>
    public static IServiceCollection AddConfigurationCheck<TCheck>(this IServiceCollection services)
        where TCheck : class, IConfigurationCheck
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigurationCheck, TCheck>());
        return services;
    }

    /// <summary>Adds a capability's checks of its configuration against the host, run by <c>check-config</c>.</summary>
    public static IServiceCollection AddHostCheck<TCheck>(this IServiceCollection services)
        where TCheck : class, HostChecks.IHostCheck
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<HostChecks.IHostCheck, TCheck>());
        return services;
    }

    /// <summary>Adds a capability's instruments: <typeparamref name="TMetrics"/> creates them on <see cref="AgentMetrics.Meter"/> in its constructor.</summary>
    /// <remarks>
    /// The metrics pipeline constructs it while it is built, so the series are on <c>/metrics</c> whether or not anything of
    /// the capability (a job, a start-up service) has been created yet; without a metrics pipeline (the CLI) it never is.
    /// </remarks>
    public static IServiceCollection AddAgentMetrics<TMetrics>(this IServiceCollection services)
        where TMetrics : class
    {
        services.TryAddSingleton<TMetrics>();
        services.ConfigureOpenTelemetryMeterProvider((sp, _) => sp.GetRequiredService<TMetrics>());
        return services;
    }

    /// <summary>Adds a listener told about every agent event (<see cref="Events.IAgentEventListener"/>), resolving the same instance as <typeparamref name="TListener"/>.</summary>
    public static IServiceCollection AddAgentEventListener<TListener>(this IServiceCollection services)
        where TListener : class, Events.IAgentEventListener
    {
        services.TryAddSingleton<TListener>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Events.IAgentEventListener, TListener>(sp => sp.GetRequiredService<TListener>()));
        return services;
    }

    /// <summary>Adds a job source.</summary>
    public static IServiceCollection AddJobSource<TSource>(this IServiceCollection services)
        where TSource : class, IJobSource
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobSource, TSource>());
        return services;
    }

    /// <summary>Adds a listener told about each applied reload (<see cref="IConfigurationChangeListener"/>), resolving the same instance as <typeparamref name="TListener"/>.</summary>
    public static IServiceCollection AddConfigurationListener<TListener>(this IServiceCollection services)
        where TListener : class, IConfigurationChangeListener
    {
        services.TryAddSingleton<TListener>();
        services.AddSingleton<IConfigurationChangeListener>(sp => sp.GetRequiredService<TListener>());
        return services;
    }

    /// <summary>Adds the scheduler, reload watcher, systemd notifier and status reporting.</summary>
    public static IServiceCollection AddAgentRuntime(this IServiceCollection services)
    {
        services.TryAddSingleton<Events.AgentEventHub>();
        services.TryAddSingleton<JobStatusStore>();
        services.TryAddSingleton<SchedulerHeartbeat>();
        services.TryAddSingleton<SystemdNotifier>();
        services.TryAddSingleton<AgentJobServices>();
        services.TryAddSingleton<StatusLine>();
        services.TryAddSingleton<StatusReporter>();
        services.TryAddSingleton<AgentScheduler>();
        services.TryAddSingleton<ConfigurationWatcher>();
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = "opsagent");
            q.UseInMemoryStore();
            // Long backups hold a slot for hours; leave room so probes and the heartbeat are never starved.
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = 64);
        });
        services.AddHostedService(sp => sp.GetRequiredService<AgentScheduler>());
        services.AddSingleton<IConfigurationApplier>(sp => sp.GetRequiredService<AgentScheduler>());
        services.AddHostedService(sp => sp.GetRequiredService<ConfigurationWatcher>());
        return services;
    }
}
