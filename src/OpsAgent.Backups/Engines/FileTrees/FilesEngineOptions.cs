namespace OpsAgent.Backups.Engines.FileTrees;

/// <summary>The keys only <c>"Engine": "files"</c> uses: what tree to archive and how to hold it still.</summary>
public sealed class FilesEngineOptions
{
    /// <summary>Absolute paths of the trees (or single files) to archive; stored under their full path without the leading <c>/</c>, as tar does.</summary>
    public List<string> Paths { get; set; } = [];

    /// <summary>A Docker volume to archive instead of <see cref="Paths"/>, read at the mount point the Engine API reports; entries are relative to the volume's root.</summary>
    public string? Volume { get; set; }

    /// <summary>Glob patterns (<c>**/*.tmp</c>, <c>cache/**</c>) relative to each path (or the volume's root) that are left out.</summary>
    public List<string> Exclude { get; set; } = [];

    /// <summary>A file the agent may not read is skipped and listed instead of failing the run as <c>permission_denied</c>.</summary>
    public bool IgnoreUnreadable { get; set; }

    /// <summary>Containers stopped while the tree is read (a consistent volume) and started again afterwards, whatever happens.</summary>
    public List<string> StopContainers { get; set; } = [];

    /// <summary>How long a stopped container gets to exit after SIGTERM before Docker kills it.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
