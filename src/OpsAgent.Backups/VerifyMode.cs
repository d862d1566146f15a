namespace OpsAgent.Backups;

/// <summary>How thoroughly a new backup is verified.</summary>
public enum VerifyMode
{
    /// <summary>Decompress, checksum, and read the archive's table of contents (<c>pg_restore --list</c>).</summary>
    Basic,

    /// <summary>Also read every data block (<c>pg_restore -f /dev/null</c>).</summary>
    Full,
}
