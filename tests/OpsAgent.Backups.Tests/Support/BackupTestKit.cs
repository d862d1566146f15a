using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsAgent.Backups.Engines;
using OpsAgent.Core.Docker;
using OpsAgent.Core.Processes;
using OpsAgent.Core.Secrets;
using OpsAgent.Testing;

namespace OpsAgent.Backups.Tests.Support;

/// <summary>Builds runners wired to the real tools, and captures what they log.</summary>
internal sealed class BackupTestKit : IDisposable
{
    public BackupTestKit(TimeProvider? time = null, string? dockerEndpoint = null, BackupEngines? engines = null)
    {
        Docker = new DockerClientProvider(() => dockerEndpoint ?? Environment.GetEnvironmentVariable("OPSAGENT_TEST_DOCKER") ?? "unix:///var/run/docker.sock");
        Tools = new ToolRunner(Docker);
        Logs = new CapturingLoggerProvider();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        State = new BackupStateStore();
        Engines = engines ?? new ServiceCollection().AddBuiltInBackupEngines().BuildServiceProvider().GetRequiredService<BackupEngines>();
        Runner = new BackupRunner(Tools, new SecretResolver(SecretRedactor.Shared), Engines, State, Slots, new OpsAgent.Core.Scheduling.JobStatusStore(), SecretRedactor.Shared, time ?? TimeProvider.System, LoggerFactory.CreateLogger<BackupRunner>());
        Restorer = new OpsAgent.Backups.Restore.BackupRestorer(Tools, new SecretResolver(SecretRedactor.Shared), Engines);
        Directory = Path.Combine(Path.GetTempPath(), "opsagent-backups-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public DockerClientProvider Docker { get; }

    /// <summary>The engines the agent ships, or those the test registered.</summary>
    public BackupEngines Engines { get; }

    public ToolRunner Tools { get; }

    public CapturingLoggerProvider Logs { get; }

    public ILoggerFactory LoggerFactory { get; }

    public BackupStateStore State { get; }

    /// <summary>The dump slots the runner takes, for tests that hold one.</summary>
    public BackupSlots Slots { get; } = new();

    public BackupRunner Runner { get; }

    public OpsAgent.Backups.Restore.BackupRestorer Restorer { get; }

    /// <summary>A fresh directory for this test's backups.</summary>
    public string Directory { get; }

    public BackupRequest Request(string job, BackupJobOptions options, TimeZoneInfo? zone = null)
    {
        options.Directory ??= Directory;
        options.Schedule ??= "0 2 * * *";
        return new BackupRequest(job, options, 1, zone ?? TimeZoneInfo.Utc, Path.Combine(Directory, ".state"));
    }

    /// <summary>Writes a synthetic backup (data, <c>.sha256</c>, <c>.json</c>) of <paramref name="job"/> named for <paramref name="utc"/>; returns its file name.</summary>
    public string WriteBackup(string job, string utc, bool verified = true, string extension = ".dump.zst")
    {
        var time = DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture);
        var path = Path.Combine(Directory, OpsAgent.Backups.Files.BackupFileNames.For(job, time, extension));
        File.WriteAllText(path, "dump");
        File.WriteAllText(path + ".sha256", $"00  {Path.GetFileName(path)}\n");
        File.WriteAllText(path + ".json", $$"""{"job":"{{job}}","engine":"postgres","tool":"pg_dump","format":"custom","compression":"zstd","sha256":"00","verified":{{(verified ? "true" : "false")}}}""");
        return Path.GetFileName(path);
    }

    public string[] FilesInDirectory(string? directory = null)
        => [.. System.IO.Directory.EnumerateFileSystemEntries(directory ?? Directory).Select(Path.GetFileName).Where(n => n != ".state").Order(StringComparer.Ordinal)!];

    public void Dispose()
    {
        LoggerFactory.Dispose();
        Docker.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
