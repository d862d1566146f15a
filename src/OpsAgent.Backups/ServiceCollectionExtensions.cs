using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsAgent.Core;

namespace OpsAgent.Backups;

/// <summary>Registers the backup capability.</summary>
public static class BackupServiceCollectionExtensions
{
    /// <summary>Adds the <c>OpsAgent:Backups</c> section and the services <c>backup</c> CLI verbs need (no hosted services).</summary>
    public static IServiceCollection AddBackupServices(this IServiceCollection services)
    {
        services.AddAgentSection<BackupsOptions, BackupsOptionsValidator>(BackupsOptions.SectionName);
        services.TryAddSingleton<BackupStateStore>();
        services.TryAddSingleton<BackupSlots>();
        services.TryAddSingleton<BackupRunner>();
        services.TryAddSingleton<Restore.BackupRestorer>();
        services.AddHostCheck<BackupHostCheck>();
        return services;
    }

    /// <summary>Adds backups to the daemon: the section, the scheduled jobs, metrics and the start-up catch-up.</summary>
    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddBackupServices();
        services.AddJobSource<BackupJobSource>();
        services.AddAgentMetrics<BackupMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Core.Scheduling.IJobHistorySource, BackupJobHistory>());
        services.AddHostedService<BackupStartup>();
        return services;
    }
}
