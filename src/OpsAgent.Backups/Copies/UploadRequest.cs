namespace OpsAgent.Backups.Copies;

/// <summary>One file to write on a target.</summary>
/// <param name="Folder">The folder relative to the target's root.</param>
/// <param name="Name">The file name.</param>
/// <param name="Length">The content's length when known in advance (a plain file); null for a stream such as <c>age</c>'s output.</param>
/// <param name="StorageClass">The storage class to write with, or null for the target's default.</param>
public sealed record UploadRequest(string Folder, string Name, long? Length, string? StorageClass);
