using System.Globalization;
using OpsAgent.Core;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.HostChecks;
using OpsAgent.Hosting;

namespace OpsAgent.Cli;

/// <summary><c>opsagent check-config</c>: validates the configuration the daemon would load.</summary>
internal static class CheckConfigCommand
{
    /// <summary>Prints "FILE: N errors" and each error as "path: problem", known secrets masked.</summary>
    internal static void WriteErrors(ConfigurationFiles files, IReadOnlyCollection<ConfigError> errors, TextWriter output)
    {
        output.WriteLine($"{files.MainFile}: {errors.Count} error{(errors.Count == 1 ? "" : "s")}");
        var enumerated = files.Enumerate();
        foreach (var error in errors)
        {
            output.WriteLine(Core.Secrets.SecretRedactor.Shared.Redact(ConfigurationLines.Describe(enumerated, error)));
        }
    }

    /// <summary>Prints "FILE: N errors" for the host findings' errors, then every finding with the file and line that set it.</summary>
    private static void WriteFindings(ConfigurationFiles files, IReadOnlyList<(HostFinding Finding, string? Line)> findings, TextWriter output)
    {
        var errors = findings.Count(f => f.Finding.Severity == HostFindingSeverity.Error);
        if (errors > 0)
        {
            output.WriteLine($"{files.MainFile}: {errors} error{(errors == 1 ? "" : "s")}");
        }

        foreach (var (finding, line) in findings)
        {
            var prefix = finding.Severity == HostFindingSeverity.Warning ? "warning: " : "";
            var at = line is null ? "" : $" ({line})";
            output.WriteLine(Core.Secrets.SecretRedactor.Shared.Redact($"{prefix}{finding}{at}"));
        }
    }

    /// <summary>
    /// Validates, then checks the configuration against this host (<see cref="HostCheckRunner"/>): prints every error and
    /// returns 1, or a summary with each job's next three fire times and any warnings and returns 0.
    /// </summary>
    /// <param name="configPath">The main file (default: the daemon's).</param>
    /// <param name="output">Where the result is printed.</param>
    /// <param name="cancellationToken">Stops the checks.</param>
    /// <param name="configureServices">Changes to the registrations (tests).</param>
    /// <param name="offline">
    /// <c>--offline</c>: the file is meant for another host or checked in a repository's CI, so nothing of this host is
    /// consulted (secrets, tools, Docker, units, directories, CA files); what the files alone say is still checked.
    /// </param>
    public static async Task<int> RunAsync(string? configPath, TextWriter output, CancellationToken cancellationToken, Action<IServiceCollection>? configureServices = null,
        bool offline = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        var services = new ServiceCollection();
        services.AddLogging();
        var files = ConfigurationFiles.Resolve(configPath);
        services.AddAgentConfiguration(files);
        AgentHost.AddCapabilities(services);
        configureServices?.Invoke(services);
        await using var provider = services.BuildServiceProvider();
        var manager = provider.GetRequiredService<AgentConfigurationManager>();
        var (configuration, errors, _) = manager.TryLoad();
        if (configuration is null)
        {
            WriteErrors(files, errors, output);
            return 1;
        }

        var findings = await provider.GetRequiredService<HostCheckRunner>().RunAsync(configuration, offline, cancellationToken).ConfigureAwait(false);
        if (findings.Any(f => f.Finding.Severity == HostFindingSeverity.Error))
        {
            WriteFindings(files, findings, output);
            return 1;
        }

        var zone = configuration.TimeZone;
        var agent = configuration.Agent;
        output.WriteLine($"Configuration OK: {string.Join(", ", configuration.Files)}");
        output.WriteLine($"  time zone      {zone.Id}");
        output.WriteLine($"  http           {agent.Http.Listen} (/metrics, /healthz, /status)");
        output.WriteLine($"  state          {agent.StateDirectory}");
        output.WriteLine($"  docker         {agent.Docker.Endpoint}");
        // The daemon falls back to the console when the socket is not there (not a systemd host, a container).
        var journald = agent.Logging.Journald.SocketPath;
        output.WriteLine(offline
            ? $"  logging        {agent.Logging.Level}, journald {journald} (not checked offline)"
            : File.Exists(journald)
            ? $"  logging        {agent.Logging.Level}, journald {journald}"
            : $"  logging        {agent.Logging.Level}, to the console (journald socket {journald} missing)");
        WriteJobs(configuration, output);
        WriteFindings(files, findings, output);
        if (offline)
        {
            output.WriteLine($"offline: host checks skipped ({HostCheckContext.OfflineSkipped})");
        }

        return 0;
    }

    private static void WriteJobs(AgentConfiguration configuration, TextWriter output)
    {
        var zone = configuration.TimeZone;
        if (configuration.Jobs.Count == 0)
        {
            output.WriteLine("No jobs configured.");
            return;
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
    }
}
