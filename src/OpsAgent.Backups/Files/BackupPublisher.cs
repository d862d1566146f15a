using System.Text;
using System.Text.Json;
using OpsAgent.Backups.Verification;

namespace OpsAgent.Backups.Files;

/// <summary>A verified file still under its <c>.partial</c> name, and the SHA-256 it was verified with.</summary>
/// <param name="Partial">Where it was written.</param>
/// <param name="FileName">The name it is published under, in the same directory.</param>
/// <param name="Sha256">Its SHA-256, for the <c>.sha256</c> sidecar.</param>
internal sealed record VerifiedPartial(string Partial, string FileName, string Sha256);

/// <summary>Publishes a verified backup: its sidecars written, then every file renamed into place in an order a crash cannot break.</summary>
/// <remarks>
/// The data file goes first, then its companions (the roles dump), then its <c>.json</c>, and its <c>.sha256</c> last:
/// until the checksum exists the file is not a backup (no scan lists it), so a crash at any point leaves either a
/// complete backup or files that are never counted. Each sidecar is flushed before its rename and the directory synced
/// after the last, so a power cut cannot publish a checksum whose data is not on disk.
/// </remarks>
internal static class BackupPublisher
{
    /// <summary>Publishes <paramref name="data"/> and <paramref name="companions"/> in <paramref name="directory"/>; returns the data file's final path.</summary>
    public static async Task<string> PublishAsync(string directory, VerifiedPartial data, IReadOnlyList<VerifiedPartial> companions, BackupMetadata metadata,
        PartialFiles partials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(companions);
        ArgumentNullException.ThrowIfNull(partials);
        var final = Path.Combine(directory, data.FileName);
        var checksums = string.Concat(new[] { data }.Concat(companions).Select(f => BackupVerifier.ChecksumLine(f.Sha256, f.FileName)));
        var jsonPartial = final + ".json" + BackupFileNames.PartialSuffix;
        var shaPartial = final + ".sha256" + BackupFileNames.PartialSuffix;
        await partials.WriteAsync(jsonPartial, JsonSerializer.SerializeToUtf8Bytes(metadata, BackupJsonContext.Default.BackupMetadata), cancellationToken).ConfigureAwait(false);
        await partials.WriteAsync(shaPartial, Encoding.UTF8.GetBytes(checksums), cancellationToken).ConfigureAwait(false);

        File.Move(data.Partial, final);
        foreach (var companion in companions)
        {
            File.Move(companion.Partial, Path.Combine(directory, companion.FileName));
        }

        File.Move(jsonPartial, final + ".json");
        File.Move(shaPartial, final + ".sha256");
        partials.Published();
        DurableFiles.SyncDirectory(directory);
        return final;
    }
}
