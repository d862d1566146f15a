using OpsAgent.Core.Configuration;
using OpsAgent.Core.Secrets;

namespace OpsAgent.Backups;

/// <summary>The <c>OpsAgent:Backups</c> section: one entry per backup job, plus settings shared by all jobs.</summary>
public sealed class BackupsOptions
{
    /// <summary>The section path.</summary>
    public const string SectionName = "OpsAgent:Backups";

    /// <summary>Dumps running at once across all jobs (a second job waits for a slot).</summary>
    public int MaxConcurrentBackups { get; set; } = 1;

    /// <summary>The jobs, by name.</summary>
    [ConfigurationEntries]
    public Dictionary<string, BackupJobOptions> Jobs { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The dump engine.</summary>
public enum BackupEngine
{
    /// <summary><c>pg_dump</c>.</summary>
    Postgres,

    /// <summary><c>mongodump --archive</c>.</summary>
    MongoDb,
}

/// <summary>The pg_dump output format.</summary>
public enum DumpFormat
{
    /// <summary><c>pg_dump -Fc</c>: restorable selectively with <c>pg_restore</c>; file extension <c>.dump</c>.</summary>
    Custom,

    /// <summary>Plain SQL, restorable with <c>psql</c>; file extension <c>.sql</c>.</summary>
    Plain,
}

/// <summary>How the agent compresses the dump.</summary>
public enum BackupCompression
{
    /// <summary>Zstandard (<c>.zst</c>): fast, and <c>zstd -d</c> restores it by hand.</summary>
    Zstd,

    /// <summary>gzip (<c>.gz</c>).</summary>
    Gzip,

    /// <summary>No compression by the agent.</summary>
    None,
}

/// <summary>How thoroughly a new backup is verified.</summary>
public enum VerifyMode
{
    /// <summary>Decompress, checksum, and read the archive's table of contents (<c>pg_restore --list</c>).</summary>
    Basic,

    /// <summary>Also read every data block (<c>pg_restore -f /dev/null</c>).</summary>
    Full,
}

/// <summary>One backup job.</summary>
public sealed class BackupJobOptions
{
    /// <summary><c>postgres</c> or <c>mongodb</c>.</summary>
    public BackupEngine? Engine { get; set; }

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

    /// <summary>PostgreSQL output format.</summary>
    public DumpFormat Format { get; set; } = DumpFormat.Custom;

    /// <summary>PostgreSQL: also dump roles and tablespaces with <c>pg_dumpall --globals-only</c>.</summary>
    public bool Globals { get; set; }

    /// <summary>PostgreSQL: an explicit pg_dump (otherwise the one matching the server's major version).</summary>
    public string? PgDumpPath { get; set; }

    /// <summary>MongoDB: an explicit mongodump.</summary>
    public string? MongodumpPath { get; set; }

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

    /// <summary>Refuse to start when the directory's file system has less free space than this.</summary>
    public long MinFreeBytes { get; set; }

    /// <summary>Run once at start when the newest backup is older than the schedule's previous fire time.</summary>
    public bool CatchUp { get; set; } = true;
}

/// <summary>restic-style retention (<c>forget --keep-*</c>); -1 means unlimited, null means the rule is not used.</summary>
public sealed class RetentionOptions
{
    /// <summary>The newest N backups.</summary>
    public int? KeepLast { get; set; }

    /// <summary>The newest backup of each of the N most recent days that have one.</summary>
    public int? KeepDaily { get; set; }

    /// <summary>The newest backup of each of the N most recent ISO weeks that have one.</summary>
    public int? KeepWeekly { get; set; }

    /// <summary>The newest backup of each of the N most recent months that have one.</summary>
    public int? KeepMonthly { get; set; }

    /// <summary>The newest backup of each of the N most recent years that have one.</summary>
    public int? KeepYearly { get; set; }

    /// <summary>Everything newer than the newest backup minus this.</summary>
    public TimeSpan? KeepWithin { get; set; }

    /// <summary>Log what would be deleted, delete nothing.</summary>
    public bool DryRun { get; set; }

    /// <summary>True when no rule is set (then everything is kept).</summary>
    public bool IsEmpty => KeepLast is null && KeepDaily is null && KeepWeekly is null && KeepMonthly is null && KeepYearly is null && KeepWithin is null;
}
