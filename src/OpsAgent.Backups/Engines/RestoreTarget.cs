namespace OpsAgent.Backups.Engines;

/// <summary>Where a restore goes, in its engine's terms: a database (the original or another), or a directory.</summary>
/// <remarks>An engine refuses a kind it does not restore into (<see cref="BackupReasons.WrongTarget"/>), naming the one it does.</remarks>
public sealed record RestoreTarget
{
    private RestoreTarget()
    {
    }

    /// <summary>Another database to restore into (created when missing), or null for the original.</summary>
    public string? Database { get; private init; }

    /// <summary>A directory to restore into, for engines whose backups are files.</summary>
    public string? Directory { get; private init; }

    /// <summary>True when restoring over what the backup was taken from.</summary>
    public bool IntoOriginal { get; private init; }

    /// <summary>Over the original files (<c>--in-place</c>): what a files engine needs before it writes where the backup was taken from.</summary>
    public bool InPlace { get; private init; }

    /// <summary>Drop (or replace) what the backup contains before restoring it; without it a non-empty target is refused.</summary>
    public bool Clean { get; private init; }

    /// <summary>The database the backup was taken from.</summary>
    public static RestoreTarget Original(bool clean) => new() { IntoOriginal = true, Clean = clean };

    /// <summary>The database <paramref name="name"/>, which is the original when <paramref name="original"/>.</summary>
    public static RestoreTarget IntoDatabase(string? name, bool clean, bool original = false)
        => name is null ? Original(clean) : new() { Database = name, IntoOriginal = original, Clean = clean };

    /// <summary>Over the paths (or the volume) the backup was taken from, as <c>--in-place --yes</c> asks.</summary>
    public static RestoreTarget OverOriginalFiles() => new() { IntoOriginal = true, InPlace = true };

    /// <summary>The directory <paramref name="path"/>.</summary>
    public static RestoreTarget IntoDirectory(string path, bool clean = false)
        => new() { Directory = path ?? throw new ArgumentNullException(nameof(path)), Clean = clean };

    /// <summary>The database to restore into (null: the original), or a refusal for a directory target.</summary>
    /// <exception cref="BackupFailedException"><see cref="BackupReasons.WrongTarget"/> for a directory.</exception>
    public string? RequireDatabase(string engine) => Directory is null ? Database
        : throw new BackupFailedException(BackupReasons.WrongTarget, $"{engine} backups restore into a database (--to-database NAME), not into the directory {Directory}");
}
