namespace OpsAgent.Backups.Copies;

/// <summary>A file on a copy target.</summary>
/// <param name="Name">The file name (no folder).</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Modified">When the target says it was written, if it says.</param>
/// <param name="Sha256">Its SHA-256 (lower-case hex) when the target computed or verified one; null when it cannot say.</param>
/// <param name="StorageClass">Its storage class, where the target has them.</param>
public sealed record RemoteFile(string Name, long Size, DateTimeOffset? Modified = null, string? Sha256 = null, string? StorageClass = null);
