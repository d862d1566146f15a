using System.Text.Json.Nodes;

namespace OpsAgent.Backups.Engines;

/// <summary>A dump the agent writes itself (a tar of a directory tree) rather than a tool's stdout.</summary>
/// <remarks>
/// The runner compresses, hashes, verifies and publishes what it writes exactly as it does a tool's output. A producer
/// that cannot go on throws (a <see cref="BackupFailedException"/> with its reason); once the runner stops reading (a
/// full disk, a stop, the run's timeout) its writes throw and its token is cancelled.
/// </remarks>
public interface IDumpProducer
{
    /// <summary>What is dumped, for the journal (<c>tar of /opt/ujmp/media</c>).</summary>
    string Display { get; }

    /// <summary>Writes the whole uncompressed dump to <paramref name="destination"/>.</summary>
    /// <returns>The engine's own facts about what it wrote (entry counts, files that changed while read), added to the backup's <c>.json</c>; null for none.</returns>
    Task<JsonObject?> WriteAsync(Stream destination, CancellationToken cancellationToken);
}
