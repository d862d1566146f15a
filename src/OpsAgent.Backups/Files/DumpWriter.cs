using System.IO.Pipelines;

namespace OpsAgent.Backups.Files;

/// <summary>Bytes seen so far; read by progress displays while a dump runs.</summary>
internal sealed class DumpProgress
{
    private long _bytes;

    /// <summary>Uncompressed bytes read from the tool.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    internal void Add(int count) => Interlocked.Add(ref _bytes, count);
}

/// <summary>The file a dump produced.</summary>
/// <param name="UncompressedBytes">Bytes the tool wrote.</param>
/// <param name="FileBytes">Bytes in the file.</param>
/// <param name="Sha256">SHA-256 of the file as written, for uncompressed output only (null otherwise; see <see cref="DumpWriter"/>).</param>
internal sealed record DumpWriteResult(long UncompressedBytes, long FileBytes, string? Sha256);

/// <summary>Streams a tool's output through compression into a private file (hashing it when it is not compressed).</summary>
/// <remarks>
/// Reading the tool and compressing run on separate tasks joined by a bounded pipe: the tool is drained at full speed
/// while the compressor works, memory stays bounded (the pipe pauses the reader at 8 MiB), and a 1 GB dump never sits in
/// memory. When writing fails (disk full), the pipe is closed so the reader stops and the caller can kill the tool.
/// <para>
/// Compressed output is not hashed here: its frames carry their own checksum of the content (zstd's XXH64, which
/// <see cref="Compression"/> turns on, and gzip's CRC-32), so decompressing the file when it is verified proves what
/// is on disk is what the tool wrote, and the SHA-256 for the sidecar is taken from the disk then, once. (Hashing here
/// too cost about 0.5 CPU seconds per 190 MB in the middle of a CPU-bound dump; the content checksum costs about as
/// much, so the two builds measured the same in tests/bench/backup.sh: this is about hashing once, not speed.)
/// Uncompressed output has no such checksum, so it is hashed as written and compared when read back.
/// </para>
/// </remarks>
internal static class DumpWriter
{
    /// <summary>The pipe's segment size: a read fills what is left of a segment before another is taken.</summary>
    private const int SegmentSize = 256 * 1024;

    /// <summary>The smallest read: a segment with less room left is closed and a new one taken.</summary>
    /// <remarks>
    /// Asking for a whole segment on every read (a tool's pipe gives 64 KiB at a time) took a fresh 256 KiB array per read:
    /// the 8 MiB the pipe holds occupied about 32 MiB of arrays, and the peak RSS of a 1.2 GB dump was 180-216 MB.
    /// </remarks>
    private const int MinimumRead = 16 * 1024;

    /// <summary>Writes <paramref name="source"/> into <paramref name="path"/> (created 0600, must not exist) and fsyncs it.</summary>
    public static async Task<DumpWriteResult> WriteAsync(Stream source, string path, BackupCompression compression, int? level, DumpProgress? progress, CancellationToken cancellationToken)
    {
        await using var file = DurableFiles.CreatePrivate(path);
        return await WriteAsync(source, file, compression, level, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="source"/> into <paramref name="file"/> (new and empty, left open) and fsyncs it.</summary>
    public static Task<DumpWriteResult> WriteAsync(Stream source, FileStream file, BackupCompression compression, int? level, DumpProgress? progress, CancellationToken cancellationToken)
        => WriteAsync(source, file, compression, level, progress, null, cancellationToken);

    /// <summary>As <see cref="WriteAsync(Stream, FileStream, BackupCompression, int?, DumpProgress?, CancellationToken)"/>, the pipe's buffers from <paramref name="pool"/> (null: the shared pool).</summary>
    internal static async Task<DumpWriteResult> WriteAsync(Stream source, FileStream file, BackupCompression compression, int? level, DumpProgress? progress,
        System.Buffers.MemoryPool<byte>? pool, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(file);
        var pipe = new Pipe(new PipeOptions(pool, pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20, minimumSegmentSize: SegmentSize, useSynchronizationContext: false));
        var reading = Task.Run(() => ReadAsync(source, pipe.Writer, progress, cancellationToken), cancellationToken);
        var writing = Task.Run(() => CompressAsync(pipe.Reader, file, compression, level, cancellationToken), cancellationToken);
        try
        {
            var uncompressed = await reading.ConfigureAwait(false);
            var (size, sha) = await writing.ConfigureAwait(false);
            return new DumpWriteResult(uncompressed, size, sha);
        }
        catch
        {
            // The writer stops at its next block once the reader failed; wait for it, so the file is closed before the
            // caller deletes it and no compression outlives the run. Then surface the writer's error (for example "No
            // space left on device") rather than the reader's reaction to it.
            await Task.WhenAny(writing).ConfigureAwait(false);
            if (writing.IsFaulted && writing.Exception.InnerException is not OperationCanceledException)
            {
                await writing.ConfigureAwait(false);
            }

            throw;
        }
    }

    private static async Task<long> ReadAsync(Stream source, PipeWriter writer, DumpProgress? progress, CancellationToken cancellationToken)
    {
        long total = 0;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(MinimumRead);
                var read = await source.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                total += read;
                progress?.Add(read);
                var flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    throw new IOException("the backup file could not be written");
                }
            }

            await writer.CompleteAsync().ConfigureAwait(false);
            return total;
        }
        catch (Exception ex)
        {
            await writer.CompleteAsync(ex).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<(long Size, string? Sha)> CompressAsync(PipeReader reader, FileStream file, BackupCompression compression, int? level, CancellationToken cancellationToken)
    {
        try
        {
            string? sha = null;
            if (compression == BackupCompression.None)
            {
                using var hashing = new HashingStream(file, leaveOpen: true);
                await reader.CopyToAsync(hashing, cancellationToken).ConfigureAwait(false);
                await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
                sha = hashing.HashHex();
            }
            else
            {
                var compressor = Compression.Compress(file, compression, level);
                try
                {
                    await reader.CopyToAsync(compressor, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await Compression.AbandonAsync(compressor).ConfigureAwait(false);
                    throw;
                }

                await Compression.FinishAsync(compressor, cancellationToken).ConfigureAwait(false);

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            file.Flush(flushToDisk: true);
            await reader.CompleteAsync().ConfigureAwait(false);
            return (file.Length, sha);
        }
        catch (Exception ex)
        {
            await reader.CompleteAsync(ex).ConfigureAwait(false);
            throw;
        }
    }
}
