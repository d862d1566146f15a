using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Engines;
using OpsAgent.Core.Configuration;
using OpsAgent.Core.Docker;
using OpsAgent.Testing;

namespace OpsAgent.Backups.Tests.Engines.FileTrees;

/// <summary>The engines as the agent builds them (Docker and the stopper included), and the shell steps the tests compare with.</summary>
internal static class FileTreeKit
{
    /// <summary>A provider with the shipped engines, Docker at the test endpoint and a logger that <paramref name="logs"/> captures.</summary>
    public static ServiceProvider Services(CapturingLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Debug);
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new DockerClientProvider(() => Environment.GetEnvironmentVariable("OPSAGENT_TEST_DOCKER") ?? "unix:///var/run/docker.sock"));
        services.AddSingleton(sp => new OpsAgent.Core.Processes.ToolRunner(sp.GetRequiredService<DockerClientProvider>()));
        services.AddSingleton<OpsAgent.Core.Maintenance.StoppedServicesStore>();
        services.AddSingleton<OpsAgent.Backups.Stops.ServiceStopper>();
        services.AddBackupServices();
        return services.BuildServiceProvider();
    }

    /// <summary>Loads a <c>files</c> job <c>media</c> from the JSON members in <paramref name="members"/> through the real binder and validator.</summary>
    public static (BackupJobOptions? Job, IReadOnlyList<ConfigError> Errors) Load(IServiceProvider services, string directory, string members)
    {
        var json = $$"""{ "OpsAgent": { "Backups": { "media": { "Engine": "files", "Schedule": "0 2 * * *", "Directory": "{{directory}}", {{members}} } } } }""";
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();
        var errors = new List<ConfigError>();
        var section = services.GetServices<IAgentSection>().Single(s => s.Path == BackupsOptions.SectionName);
        var options = section.Load(root, errors) as BackupsOptions;
        return (options?.Jobs.GetValueOrDefault("media"), errors);
    }

    /// <summary>Runs a shell script; fails the test with its stderr when it fails.</summary>
    public static string Sh(string script)
    {
        var start = new ProcessStartInfo("/bin/bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var sh = Process.Start(start)!;
        var stdout = sh.StandardOutput.ReadToEndAsync();
        var stderr = sh.StandardError.ReadToEnd();
        sh.WaitForExit();
        Assert.That(sh.ExitCode, Is.Zero, $"bash -c {script}: {stderr}");
        return stdout.Result;
    }

    /// <summary>Every path under <paramref name="root"/> with its type, mode, owner, group, size, whole-second mtime and link target, as <c>find</c> sees them.</summary>
    public static string[] Listing(string root)
        => [.. Sh($"cd '{root}' && find . -mindepth 1 -printf '%P|%y|%m|%U|%G|%s|%TY-%Tm-%Td %TH:%TM:%.2TS|%l|%n\\n' | LC_ALL=C sort").Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
