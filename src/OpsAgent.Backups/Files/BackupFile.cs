namespace OpsAgent.Backups.Files;

/// <summary>A backup on disk: <c>&lt;job&gt;_&lt;UTC yyyyMMddTHHmmssZ&gt;.&lt;ext&gt;</c> with its <c>.sha256</c> and <c>.json</c> sidecars.</summary>
/// <param name="Path">The data file.</param>
/// <param name="Job">The job name.</param>
/// <param name="Time">The UTC time in the name (the run's start).</param>
/// <param name="Size">The data file's size in bytes.</param>
/// <param name="Metadata">The <c>.json</c> sidecar, when readable.</param>
internal sealed record BackupFile(string Path, string Job, DateTimeOffset Time, long Size, BackupMetadata? Metadata)
{
    /// <summary>The name of the data file.</summary>
    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>The checksum sidecar.</summary>
    public string ChecksumPath => Path + ".sha256";

    /// <summary>The metadata sidecar.</summary>
    public string MetadataPath => Path + ".json";

    /// <summary>True when the agent verified the file when it wrote it.</summary>
    public bool Verified => Metadata?.Verified == true;
}
