using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsAgent.Backups.Copies;
using OpsAgent.Backups.Copies.FileSystem;
using OpsAgent.Backups.Copies.Sftp;
using OpsAgent.Backups.Copies.S3;
using OpsAgent.Backups.Engines;
using OpsAgent.Backups.Engines.MongoDb;
using OpsAgent.Backups.Engines.Postgres;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;

namespace OpsAgent.Backups;

/// <summary>Registers the backup capability.</summary>
public static class BackupServiceCollectionExtensions
{
    /// <summary>Adds the <c>OpsAgent:Backups</c> section and the services <c>backup</c> CLI verbs need (no hosted services).</summary>
    public static IServiceCollection AddBackupServices(this IServiceCollection services)
    {
        services.AddAgentSection<BackupsOptions, BackupsOptionsValidator>(BackupsOptions.SectionName);
        services.AddBuiltInBackupEngines();
        services.AddAgentSection<CopyTargetsOptions, CopyTargetsOptionsValidator>(CopyTargetsOptions.SectionName);
        services.AddBuiltInCopyTargets();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Core.Notifications.IPingCatalog, BackupPingCatalog>());
        services.AddConfigurationCheck<CopyReferencesCheck>();
        services.AddConfigurationCheck<Restore.RestoreReferencesCheck>();
        services.TryAddSingleton<BackupStateStore>();
        services.TryAddSingleton<BackupSlots>();
        services.TryAddSingleton<Retention.RetentionExecutor>();
        services.TryAddSingleton<BackupRunner>();
        services.TryAddSingleton<CopyStateStore>();
        services.TryAddSingleton<CopyRunner>();
        services.TryAddSingleton<CopyFetcher>();
        services.TryAddSingleton<Restore.BackupRestorer>();
        services.TryAddSingleton<Stops.ServiceStopper>();
        services.TryAddSingleton<Drills.DrillRunner>();
        services.TryAddSingleton<Restore.LiveRestore>();
        services.AddHostCheck<BackupHostCheck>();
        services.AddHostCheck<CopyHostCheck>();
        // The CLI loads the configuration as the daemon does: the same jobs, so the same checks and the same count logged.
        services.AddJobSource<BackupJobSource>();
        services.AddJobSource<Drills.DrillJobSource>();
        return services;
    }

    /// <summary>Adds backups to the daemon: the section, the scheduled jobs, metrics and the start-up catch-up.</summary>
    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddBackupServices();
        services.AddAgentMetrics<BackupMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Core.Scheduling.IJobHistorySource, BackupJobHistory>());
        services.AddHostedService<BackupStartup>();
        services.TryAddSingleton<CopyScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<CopyScheduler>());
        return services;
    }

    /// <summary>Adds the engines the agent ships (and nothing else: <c>backup verify FILE</c> needs no configuration).</summary>
    public static IServiceCollection AddBuiltInBackupEngines(this IServiceCollection services)
    {
        services.AddBackupEngine<PostgresEngine, PostgresEngineOptions>("postgres");
        services.AddBackupEngine<MongoEngine, MongoEngineOptions>("mongodb");
        services.AddBackupEngine<Engines.FileTrees.FilesEngine, Engines.FileTrees.FilesEngineOptions>("files");
        return services;
    }

    /// <summary>
    /// Adds an engine a job selects with <c>"Engine": "<paramref name="name"/>"</c>; the job's keys that
    /// <typeparamref name="TOptions"/> declares are bound into <see cref="BackupJobOptions.Settings"/> as a <typeparamref name="TOptions"/>.
    /// </summary>
    /// <remarks>The engine is a singleton built by the container; its formats' extensions are checked when the engines are first resolved.</remarks>
    /// <exception cref="ArgumentException">The name breaks the naming rules, or another engine has it.</exception>
    public static IServiceCollection AddBackupEngine<TEngine, TOptions>(this IServiceCollection services, string name)
        where TEngine : class, IBackupEngine
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!NameRules.IsValid(name))
        {
            throw new ArgumentException($"backup engine name '{name}': {NameRules.Rule}", nameof(name));
        }

        // AddBackupServices may run twice on one container: the same engine again changes nothing.
        if (!services.TryAddConfigurationKind<BackupJobOptions, TOptions>(nameof(BackupJobOptions.Engine), name))
        {
            return services;
        }

        services.TryAddSingleton<TEngine>();
        services.AddSingleton(sp => new BackupEngineRegistration(name, sp.GetRequiredService<TEngine>()));
        services.TryAddSingleton<BackupEngines>();
        return services;
    }

    /// <summary>Adds the copy target types the agent ships.</summary>
    public static IServiceCollection AddBuiltInCopyTargets(this IServiceCollection services)
    {
        services.AddCopyTarget<FileSystemTarget, FileSystemTargetOptions>("directory");
        services.AddCopyTarget<SftpTarget, SftpTargetOptions>("sftp");
        services.AddCopyTarget<S3Target, S3TargetOptions>("s3");
        return services;
    }

    /// <summary>
    /// Adds a copy target type a target selects with <c>"Type": "<paramref name="name"/>"</c>; the target's keys that
    /// <typeparamref name="TOptions"/> declares are bound into <see cref="CopyTargetOptions.Settings"/> as a <typeparamref name="TOptions"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The name breaks the naming rules, or another type has it.</exception>
    public static IServiceCollection AddCopyTarget<TType, TOptions>(this IServiceCollection services, string name)
        where TType : CopyTargetType<TOptions>
        where TOptions : class, ICopyTargetSettings, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!NameRules.IsValid(name))
        {
            throw new ArgumentException($"copy target type name '{name}': {NameRules.Rule}", nameof(name));
        }

        if (!services.TryAddConfigurationKind<CopyTargetOptions, TOptions>(nameof(CopyTargetOptions.Type), name))
        {
            return services;
        }

        services.TryAddSingleton<TType>();
        services.AddSingleton(sp => new CopyTargetRegistration(name, sp.GetRequiredService<TType>()));
        services.TryAddSingleton<CopyTargetTypes>();
        return services;
    }
}
