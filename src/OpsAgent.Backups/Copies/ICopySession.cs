namespace OpsAgent.Backups.Copies;

/// <summary>
/// One connection to a copy target for one pass. Folders are relative to the target's root (its prefix or path):
/// <c>""</c> for the root, else segments joined by <c>/</c>.
/// </summary>
/// <remarks>
/// The contract every type keeps, because the copy stage relies on it: an upload becomes visible under its name only
/// when its content stream was read to the end without an exception (a multipart upload completed, a <c>.partial</c>
/// renamed); otherwise nothing is left under the name and what was sent is removed as far as the target allows. That
/// is what makes encryption fail closed and an interrupted copy never count.
/// </remarks>
public interface ICopySession : IAsyncDisposable
{
    /// <summary>Where an object is, for logs (<c>s3://bucket/prefix/folder/name</c>).</summary>
    string Describe(string folder, string name);

    /// <summary>The files directly in <paramref name="folder"/> whose names start with <paramref name="namePrefix"/> (no deeper level, no directories); an absent folder is empty.</summary>
    Task<IReadOnlyList<RemoteFile>> ListAsync(string folder, string namePrefix, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="content"/> (read once, forward only, with memory bounded whatever its size) and returns what the target then holds.</summary>
    /// <returns>The target's own account of the new object: its size, and its SHA-256 when the target computed or verified one.</returns>
    Task<RemoteFile> UploadAsync(UploadRequest request, Stream content, CancellationToken cancellationToken);

    /// <summary>Deletes one file; an absent file is not an error.</summary>
    Task DeleteAsync(string folder, string name, CancellationToken cancellationToken);

    /// <summary>Opens a file for reading, forward only.</summary>
    /// <exception cref="CopyFailedException"><see cref="CopyReasons.NotFound"/>, or <see cref="CopyReasons.NeedsThaw"/> for an archived object.</exception>
    Task<Stream> OpenReadAsync(string folder, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Removes what interrupted uploads left (abandoned multipart uploads, <c>.partial</c> files) of the files named
    /// <paramref name="namePrefix"/>… that <paramref name="belongs"/> claims; returns how many.
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <param name="namePrefix">What the names start with (a listing filter: <c>db_</c> also matches job <c>db_x</c>'s names).</param>
    /// <param name="belongs">Given the name the upload was to take (no folder, no <c>.partial</c>): true when it is the caller's, the only ones removed.</param>
    /// <param name="cancellationToken">Stops the clean-up.</param>
    Task<int> RemoveIncompleteAsync(string folder, string namePrefix, Func<string, bool> belongs, CancellationToken cancellationToken);
}
