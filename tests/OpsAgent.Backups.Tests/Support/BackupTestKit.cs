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
    public BackupTestKit(TimeProvider? time = null, string? dockerEndpoint = null, BackupEngines? engines = null, OpsAgent.Core.Maintenance.IProbeHealth? probes = null)
    {
        Docker = new DockerClientProvider(() => dockerEndpoint ?? Environment.GetEnvironmentVariable("OPSAGENT_TEST_DOCKER") ?? "unix:///var/run/docker.sock");
        Tools = new ToolRunner(Docker);
        Logs = new CapturingLoggerProvider();
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        State = new BackupStateStore();
        Engines = engines ?? new ServiceCollection().AddBuiltInBackupEngines().BuildServiceProvider().GetRequiredService<BackupEngines>();
        Retention = new OpsAgent.Backups.Retention.RetentionExecutor(time ?? TimeProvider.System, LoggerFactory.CreateLogger<OpsAgent.Backups.Retention.RetentionExecutor>(), CopyStore);
        Runner = new BackupRunner(Tools, new SecretResolver(SecretRedactor.Shared), Engines, State, Slots, new OpsAgent.Core.Scheduling.JobStatusStore(), Retention, SecretRedactor.Shared, time ?? TimeProvider.System, LoggerFactory.CreateLogger<BackupRunner>(),
            probes, Activity);
        CopyTypes = new ServiceCollection().AddBuiltInCopyTargets().BuildServiceProvider().GetRequiredService<OpsAgent.Backups.Copies.CopyTargetTypes>();
        Copier = new OpsAgent.Backups.Copies.CopyRunner(CopyTypes, Tools, new SecretResolver(SecretRedactor.Shared), CopyStore, SecretRedactor.Shared, time ?? TimeProvider.System, LoggerFactory.CreateLogger<OpsAgent.Backups.Copies.CopyRunner>());
        Fetcher = new OpsAgent.Backups.Copies.CopyFetcher(CopyTypes, Tools, new SecretResolver(SecretRedactor.Shared), time ?? TimeProvider.System, LoggerFactory.CreateLogger<OpsAgent.Backups.Copies.CopyFetcher>());
        Restorer = new OpsAgent.Backups.Restore.BackupRestorer(Tools, new SecretResolver(SecretRedactor.Shared), Engines);
        Drills = new OpsAgent.Backups.Drills.DrillRunner(Engines, Restorer, Fetcher, Tools, new SecretResolver(SecretRedactor.Shared), Slots, time ?? TimeProvider.System,
            LoggerFactory.CreateLogger<OpsAgent.Backups.Drills.DrillRunner>());
        Directory = Path.Combine(Path.GetTempPath(), "opsagent-backups-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public DockerClientProvider Docker { get; }

    /// <summary>The runs in progress, as the probes see them.</summary>
    public OpsAgent.Core.Maintenance.BackupActivity Activity { get; } = new();

    /// <summary>The engines the agent ships, or those the test registered.</summary>
    public BackupEngines Engines { get; }

    public ToolRunner Tools { get; }

    public CapturingLoggerProvider Logs { get; }

    public ILoggerFactory LoggerFactory { get; }

    public BackupStateStore State { get; }

    /// <summary>The dump slots the runner takes, for tests that hold one.</summary>
    public BackupSlots Slots { get; } = new();

    public BackupRunner Runner { get; }

    /// <summary>The retention a run applies after publishing (for tests of retention alone).</summary>
    public OpsAgent.Backups.Retention.RetentionExecutor Retention { get; }

    public OpsAgent.Backups.Restore.BackupRestorer Restorer { get; }

    /// <summary>Restore drills, with <see cref="Restorer"/> and <see cref="Fetcher"/>.</summary>
    public OpsAgent.Backups.Drills.DrillRunner Drills { get; }

    /// <summary>The drill request for a job whose <see cref="Request"/> was built.</summary>
    public static OpsAgent.Backups.Drills.DrillRequest DrillRequest(BackupRequest request) => new(request.Job, request.Options, 1, request.StateDirectory, null);

    /// <summary>The copy stage's counters, shared by <see cref="Runner"/> and <see cref="Copier"/>.</summary>
    public OpsAgent.Backups.Copies.CopyStateStore CopyStore { get; } = new();

    /// <summary>The copy target types the agent ships.</summary>
    public OpsAgent.Backups.Copies.CopyTargetTypes CopyTypes { get; }

    /// <summary>The copy stage.</summary>
    public OpsAgent.Backups.Copies.CopyRunner Copier { get; }

    /// <summary>The copy request for a job whose <see cref="Request"/> was built, with <paramref name="targets"/>.</summary>
    /// <summary>Downloads from the targets as <c>backup restore --from</c> does.</summary>
    public OpsAgent.Backups.Copies.CopyFetcher Fetcher { get; }

    public static OpsAgent.Backups.Copies.CopyRequest CopyRequest(BackupRequest request, IReadOnlyDictionary<string, OpsAgent.Backups.Copies.CopyTargetOptions> targets)
        => new(request.Job, request.Options, targets, request.TimeZone, request.StateDirectory);

    /// <summary>Writes a backup whose <c>.sha256</c> is the real checksum of <paramref name="content"/>, as the agent publishes them; returns its path.</summary>
    public string WriteRealBackup(string job, DateTimeOffset time, byte[] content, string extension = ".dump.zst")
    {
        var path = Path.Combine(Directory, OpsAgent.Backups.Files.BackupFileNames.For(job, time, extension));
        File.WriteAllBytes(path, content);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        File.WriteAllText(path + ".json", $$"""{"job":"{{job}}","engine":"postgres","tool":"pg_dump","format":"custom","compression":"zstd","sha256":"{{sha}}","sizeBytes":{{content.Length}},"verified":true}""");
        File.WriteAllText(path + ".sha256", $"{sha}  {Path.GetFileName(path)}\n");
        return path;
    }

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
