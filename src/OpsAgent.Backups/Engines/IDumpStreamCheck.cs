namespace OpsAgent.Backups.Engines;

/// <summary>A content check that reads the decompressed dump as a stream (a tar archive through <c>TarReader</c>) instead of span by span.</summary>
/// <remarks>The verifier feeds it through a bounded pipe beside the checksum and the host checker; <see cref="IDumpContentCheck.Add"/> is not called.</remarks>
public interface IDumpStreamCheck : IDumpContentCheck
{
    /// <summary>Reads the whole dump; returns the problem's reason and text, or nulls when it is whole.</summary>
    /// <param name="dump">The decompressed dump; reading stops early only on a problem.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    Task<(string? Reason, string? Problem)> ReadAsync(Stream dump, CancellationToken cancellationToken);
}
