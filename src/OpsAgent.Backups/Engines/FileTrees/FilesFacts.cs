namespace OpsAgent.Backups.Engines.FileTrees;

/// <summary>The members the files engine writes in a backup's <c>.json</c>.</summary>
internal static class FilesFacts
{
    /// <summary>Entries in the archive: directories, files, links.</summary>
    public const string Entries = "entries";

    /// <summary>Bytes of file content in the archive.</summary>
    public const string Bytes = "bytes";

    /// <summary>Sockets, devices and FIFOs left out.</summary>
    public const string Skipped = "skipped";

    /// <summary>The first of them, with their kind.</summary>
    public const string SkippedPaths = "skippedPaths";

    /// <summary>How many files changed or vanished while read.</summary>
    public const string FilesChangedCount = "filesChangedCount";

    /// <summary>The first of them.</summary>
    public const string FilesChanged = "filesChanged";

    /// <summary>Files left out as unreadable (<c>IgnoreUnreadable</c>).</summary>
    public const string UnreadableCount = "unreadableCount";

    /// <summary>The first of them.</summary>
    public const string Unreadable = "unreadable";

    /// <summary>What was archived: the paths, or the volume and its mount point.</summary>
    public const string Sources = "sources";

    /// <summary>The Docker volume archived.</summary>
    public const string Volume = "volume";

    /// <summary>The containers stopped for the read.</summary>
    public const string ContainersStopped = "containersStopped";

    /// <summary>How long they were down, in seconds.</summary>
    public const string DownSeconds = "downSeconds";
}
