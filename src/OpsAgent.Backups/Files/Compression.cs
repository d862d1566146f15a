using System.Buffers;
using System.IO.Compression;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace OpsAgent.Backups.Files;

/// <summary>Compressing and decompressing streams for each <see cref="BackupCompression"/>.</summary>
internal static class Compression
{
    /// <summary>A stream that compresses into <paramref name="output"/>; disposing it finishes the frame (and leaves <paramref name="output"/> open).</summary>
    public static Stream Compress(Stream output, BackupCompression compression, int? level) => compression switch
    {
        BackupCompression.Zstd => Zstd(output, level ?? 3),
        BackupCompression.Gzip => new GZipStream(output, GzipLevel(level ?? 6), leaveOpen: true),
        _ => new NonClosingStream(output),
    };

    /// <summary>zstd workers: one per core up to four (the dump tool itself is mostly I/O and protocol work).</summary>
    internal static int ZstdWorkers { get; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>From this level on zstd is slow enough (btopt and up) that its jobs are kept small.</summary>
    internal const int SlowLevel = 16;

    /// <summary>Each worker's job: zstd's default at level 3 is 8 MiB, and its buffers scale with it.</summary>
    /// <remarks>
    /// tests/bench/backup.sh's 1.2 GB database, peak RSS of the verified dump (2 workers): default jobs 160 MB, 4 MiB
    /// 138 MB, 2 MiB 124 MB, 1 MiB 117 MB; the file 0.3 % larger at 1 MiB, the wall time the same (2026-12-06).
    /// </remarks>
    internal const int JobBytes = 1 << 20;

    private const int SlowLevelOverlapLog = 6;

    /// <remarks>
    /// Multi-threaded like <c>zstd -T</c>: single-threaded, the managed compressor was the bottleneck of a dump
    /// (tests/bench/backup.sh: 1.7 x the <c>pg_dump -Z0 | zstd -T2 -3</c> pipeline). Workers compress independent jobs
    /// of the stream, so the output stays one ordinary frame that <c>zstd -d</c> reads.
    /// The frame carries a checksum of its content, as the <c>zstd</c> command writes by default: verification relies on
    /// it (see <see cref="DumpWriter"/>), and <c>zstd -t</c> can check a copy by hand.
    /// </remarks>
    private static ZstdCompressionStream Zstd(Stream output, int level)
    {
        var compressor = new Compressor(level);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        if (ZstdWorkers > 1)
        {
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, ZstdWorkers);
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_jobSize, JobBytes);
            if (level >= SlowLevel)
            {
                // A worker cannot be stopped inside a job, so a job's length bounds how long a cancelled run takes to
                // end (the default job at level 19 is 32 MiB, over a minute of CPU here). With the full-window overlap
                // every 1 MiB job re-indexed 8 MiB; a 1/8-window overlap measured 1.1 MB/s and the same ratio on random text.
                compressor.SetParameter(ZSTD_cParameter.ZSTD_c_overlapLog, SlowLevelOverlapLog);
            }
        }

        return new ZstdCompressionStream(output, compressor);
    }

    /// <summary>Finishes the output of a stream from <see cref="Compress"/> and releases it; cancellable between blocks.</summary>
    public static async ValueTask FinishAsync(Stream compressor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        if (compressor is ZstdCompressionStream zstd)
        {
            await zstd.FinishAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await compressor.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Releases a stream from <see cref="Compress"/> without finishing its output, for a write that failed or was
    /// cancelled: disposing it would compress everything still buffered first (at level 19, many seconds of CPU for
    /// a file that is deleted next).
    /// </summary>
    public static async ValueTask AbandonAsync(Stream compressor)
    {
        ArgumentNullException.ThrowIfNull(compressor);
        if (compressor is ZstdCompressionStream zstd)
        {
            zstd.Abandon();
        }
        else
        {
            // gzip holds at most one deflate block; finishing it costs little.
            await compressor.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A stream that decompresses <paramref name="input"/>.</summary>
    public static Stream Decompress(Stream input, BackupCompression compression) => compression switch
    {
        BackupCompression.Zstd => new DecompressionStream(input, leaveOpen: true, checkEndOfStream: true),
        BackupCompression.Gzip => new GZipStream(input, CompressionMode.Decompress, leaveOpen: true),
        _ => new NonClosingStream(input),
    };

    private static CompressionLevel GzipLevel(int level) => level switch
    {
        <= 3 => CompressionLevel.Fastest,
        <= 7 => CompressionLevel.Optimal,
        _ => CompressionLevel.SmallestSize,
    };

    /// <summary>A zstd compressing stream that can also be dropped without finishing its frame.</summary>
    private sealed class ZstdCompressionStream : CompressionStream
    {
        private const int FinishBufferBytes = 128 * 1024;
        private readonly Stream _output;
        private readonly Compressor _compressor;
        private bool _abandoned;
        private int _released;

        public ZstdCompressionStream(Stream output, Compressor compressor)
            : base(output, compressor, preserveCompressor: true, leaveOpen: true)
        {
            _output = output;
            _compressor = compressor;
        }

        /// <summary>
        /// Ends the frame like disposing does, but writes each block as it comes and checks the token between them
        /// (the base class compresses everything buffered in one uncancellable call).
        /// </summary>
        public async ValueTask FinishAsync(CancellationToken cancellationToken)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(FinishBufferBytes);
            try
            {
                OperationStatus status;
                do
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    status = _compressor.FlushStream(buffer, out var written, isFinalBlock: true);
                    if (status == OperationStatus.InvalidData)
                    {
                        throw new IOException("zstd could not finish the compressed frame");
                    }

                    await _output.WriteAsync(buffer.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
                }
                while (status != OperationStatus.Done);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                // Finished or not, nothing more is written: the base class's disposal would start a second frame.
                Abandon();
            }
        }

        /// <summary>Frees the compressor (its workers end after the job each is on) and never writes the frame's end.</summary>
        public void Abandon()
        {
            _abandoned = true;
            Dispose();
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_abandoned && Volatile.Read(ref _released) == 0)
            {
                await base.DisposeAsync().ConfigureAwait(false);
            }

            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            try
            {
                if (!_abandoned)
                {
                    base.Dispose(disposing);
                }
            }
            finally
            {
                _compressor.Dispose();
            }
        }
    }

    /// <summary>Passes through to an inner stream without disposing it.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
