namespace OpsAgent.Backups.Engines.Postgres;

/// <summary>The pg_dump output format.</summary>
public enum DumpFormat
{
    /// <summary><c>pg_dump -Fc</c>: restorable selectively with <c>pg_restore</c>; file extension <c>.dump</c>.</summary>
    Custom,

    /// <summary>Plain SQL, restorable with <c>psql</c>; file extension <c>.sql</c>.</summary>
    Plain,
}
