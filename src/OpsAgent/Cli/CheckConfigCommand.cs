using System.Globalization;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Hosting;

namespace OpsAgent.Cli;

/// <summary><c>opsagent check-config</c>: validates the configuration the daemon would load.</summary>
internal static class CheckConfigCommand
{
    /// <summary>Prints "FILE: N errors" and each error as "path: problem", known secrets masked.</summary>
    internal static void WriteErrors(ConfigurationFiles files, IReadOnlyCollection<ConfigError> errors, TextWriter output)
    {
        output.WriteLine($"{files.MainFile}: {errors.Count} error{(errors.Count == 1 ? "" : "s")}");
        foreach (var error in errors)
        {
            output.WriteLine(Core.Secrets.SecretRedactor.Shared.Redact(error.ToString()));
        }
    }

    /// <summary>
    /// Tools a job runs on this host that are not here: the daemon would load the configuration and fail every run with
    /// <c>tool_missing</c>, so check-config says it first. (PostgreSQL's client is chosen per server version at run time.)
    /// </summary>
    internal static List<ConfigError> HostToolErrors(AgentConfiguration configuration)
    {
        var errors = new List<ConfigError>();
        foreach (var (name, job) in configuration.Get<Backups.BackupsOptions>().Jobs.OrderBy(j => j.Key, StringComparer.Ordinal))
        {
            if (job.Engine != Backups.BackupEngine.MongoDb || job.Container is not null)
            {
                continue;
            }

            var path = $"{Backups.BackupsOptions.SectionName}:{name}:MongodumpPath";
            if (job.MongodumpPath is { } explicitPath ? !File.Exists(explicitPath) : Backups.Engines.EngineTools.FindOnPath("mongodump") is null)
            {
                errors.Add(new ConfigError(path, job.MongodumpPath is null
                    ? "mongodump is not on this host's PATH and the job has no Container: install the MongoDB Database Tools (package mongodb-database-tools), set MongodumpPath, or set Container to run it in the MongoDB container"
                    : $"{job.MongodumpPath} does not exist on this host"));
            }
        }

        return errors;
    }

    /// <summary>Prints every error and returns 1, or a summary with each job's next three fire times and returns 0.</summary>
    public static int Run(string? configPath, TextWriter output, Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var files = ConfigurationFiles.Resolve(configPath);
        services.AddAgentConfiguration(files);
        AgentHost.AddCapabilities(services);
        configureServices?.Invoke(services);
        using var provider = services.BuildServiceProvider();
        var manager = provider.GetRequiredService<AgentConfigurationManager>();
        var (configuration, errors, _) = manager.TryLoad();
        if (configuration is null)
        {
            WriteErrors(files, errors, output);
            return 1;
        }

        if (HostToolErrors(configuration) is { Count: > 0 } missing)
        {
            WriteErrors(files, missing, output);
            return 1;
        }

        var zone = configuration.TimeZone;
        var agent = configuration.Agent;
        output.WriteLine($"Configuration OK: {string.Join(", ", configuration.Files)}");
        output.WriteLine($"  time zone      {zone.Id}");
        output.WriteLine($"  http           {agent.Http.Listen} (/metrics, /healthz, /status)");
        output.WriteLine($"  state          {agent.StateDirectory}");
        output.WriteLine($"  docker         {agent.Docker.Endpoint}");
        output.WriteLine($"  logging        {agent.Logging.Level}, journald {agent.Logging.Journald.SocketPath}");
        if (configuration.Jobs.Count == 0)
        {
            output.WriteLine("No jobs configured.");
            return 0;
        }

        output.WriteLine($"{configuration.Jobs.Count} job{(configuration.Jobs.Count == 1 ? "" : "s")}:");
        var now = DateTimeOffset.UtcNow;
        foreach (var job in configuration.Jobs.OrderBy(j => j.Kind, StringComparer.Ordinal).ThenBy(j => j.Name, StringComparer.Ordinal))
        {
            var next = job.Schedule.NextFireTimes(now, zone, 3)
                .Select(t => TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
            output.WriteLine($"  {job.Kind,-12} {job.Name,-24} {job.Schedule.Text,-16} next: {string.Join(", ", next)}");
            if (job.Description is { Length: > 0 } description)
            {
                output.WriteLine($"  {"",-12} {"",-24} {description}");
            }
        }

        return 0;
    }
}
