using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups;

/// <summary>One backup job.</summary>
public sealed class BackupJobOptions
{
    /// <summary><c>postgres</c>, <c>mongodb</c> or <c>files</c> (directory trees and Docker volumes).</summary>
    public string? Engine { get; set; }

    /// <summary>The settings only the engine uses (<c>Format</c>, <c>PgDumpPath</c>, ...), bound from the same object into the engine's options type.</summary>
    [ConfigurationKind]
    public object? Settings { get; set; }

    /// <summary>5-field crontab, @daily-style macro, or Quartz 6/7-field expression.</summary>
    public string? Schedule { get; set; }

    /// <summary>PostgreSQL: Npgsql keywords or a <c>postgresql://</c> URL; MongoDB: a <c>mongodb://</c> URI.</summary>
    public SecretReference? Connection { get; set; }

    /// <summary>The database (overrides the one in the connection).</summary>
    public string? Database { get; set; }

    /// <summary>When set, the dump tool runs inside this container through the Docker Engine API.</summary>
    public string? Container { get; set; }

    /// <summary>Where backup files go.</summary>
    public string? Directory { get; set; }

    /// <summary>Compression applied by the agent.</summary>
    public BackupCompression Compression { get; set; } = BackupCompression.Zstd;

    /// <summary>Compression level (zstd 1-19, default 3; gzip 1-9, default 6).</summary>
    public int? CompressionLevel { get; set; }

    /// <summary>Verification depth.</summary>
    public VerifyMode Verify { get; set; } = VerifyMode.Basic;

    /// <summary>Retention rules.</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>The whole run (dump and verification) is killed after this.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Extra attempts after a failed run.</summary>
    public int Retries { get; set; }

    /// <summary>Wait before the first retry; doubles for each further one.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Probes that must be healthy for a run to start (the database's own probe): a run that fires while one fails waits for it, up to <see cref="RequireHealthyWait"/>.</summary>
    public List<string> RequireHealthy { get; set; } = [];

    /// <summary>How long a run waits for <see cref="RequireHealthy"/> before it fails <c>dependency_failing:&lt;probe&gt;</c>.</summary>
    public TimeSpan RequireHealthyWait { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A dead-man's switch told of each run: start, success (with the summary) and failure (with the reason).</summary>
    public Core.Notifications.PingOptions? Ping { get; set; }

    /// <summary>Refuse to start when the directory's file system has less free space than this.</summary>
    public long MinFreeBytes { get; set; }

    /// <summary>Off-host copies by name (the target's, unless the copy names its <c>Target</c>).</summary>
    public Dictionary<string, Copies.CopyOptions> Copies { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many days a local backup that a copy's retention keeps but its target still lacks is held past local retention.</summary>
    public int KeepUncopiedDays { get; set; } = 14;

    /// <summary>How copies with <c>Encrypt</c> are encrypted.</summary>
    public Copies.EncryptionOptions? Encryption { get; set; }

    /// <summary>How <c>backup restore</c> over the original runs beside the live application (stop, pre-restore backup, After, VerifyProbes), or null for a plain restore.</summary>
    public Restore.RestoreOptions? Restore { get; set; }

    /// <summary>A scheduled restore drill that proves the newest backup restores, or null for none.</summary>
    public Drills.DrillOptions? Drill { get; set; }

    /// <summary>Run once at start when the newest backup is older than the schedule's previous fire time.</summary>
    public bool CatchUp { get; set; } = true;

    /// <summary>The engine's settings, or their defaults for a job built in code without them.</summary>
    public TSettings EngineSettings<TSettings>()
        where TSettings : class, new()
        => Settings as TSettings ?? new TSettings();
}
