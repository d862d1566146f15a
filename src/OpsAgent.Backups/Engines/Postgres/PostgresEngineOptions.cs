namespace OpsAgent.Backups.Engines.Postgres;

/// <summary>The keys of a backup job only the <c>postgres</c> engine uses.</summary>
public sealed class PostgresEngineOptions
{
    /// <summary>PostgreSQL output format.</summary>
    public DumpFormat Format { get; set; } = DumpFormat.Custom;

    /// <summary>PostgreSQL: also dump roles and tablespaces with <c>pg_dumpall --globals-only</c>.</summary>
    public bool Globals { get; set; }

    /// <summary>PostgreSQL: an explicit pg_dump (otherwise the one matching the server's major version).</summary>
    public string? PgDumpPath { get; set; }
}
