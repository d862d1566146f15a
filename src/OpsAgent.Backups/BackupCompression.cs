namespace OpsAgent.Backups;

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
