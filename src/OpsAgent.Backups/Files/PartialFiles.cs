namespace OpsAgent.Backups.Files;

/// <summary>The <c>.partial</c> files one run created: removed when the run ends, unless they were published.</summary>
/// <remarks>
/// A path is added only once its creation succeeded (it must not exist before), so a failed run never deletes a file
/// another run is writing.
/// </remarks>
internal sealed class PartialFiles : IDisposable
{
    private readonly List<string> _owned = [];

    /// <summary>Creates <paramref name="path"/>, private to the agent, and owns it.</summary>
    public FileStream Create(string path)
    {
        var file = DurableFiles.CreatePrivate(path);
        _owned.Add(path);
        return file;
    }

    /// <summary>Creates <paramref name="path"/> with <paramref name="content"/>, flushed to disk.</summary>
    public async Task WriteAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var file = Create(path);
        await using (file.ConfigureAwait(false))
        {
            await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>Gives up ownership once every file was renamed into place.</summary>
    public void Published() => _owned.Clear();

    public void Dispose()
    {
        foreach (var partial in _owned)
        {
            DurableFiles.DeleteIfExists(partial);
        }

        _owned.Clear();
    }
}
