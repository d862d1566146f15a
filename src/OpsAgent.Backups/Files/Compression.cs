using System.IO.Compression;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace OpsAgent.Backups.Files;

/// <summary>Compressing and decompressing streams for each <see cref="BackupCompression"/>.</summary>
public static class Compression
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

    /// <remarks>
    /// Multi-threaded like <c>zstd -T</c>: single-threaded, the managed compressor was the bottleneck of a dump
    /// (tests/bench/backup.sh: 1.7 x the <c>pg_dump -Z0 | zstd -T2 -3</c> pipeline). Workers compress independent jobs
    /// of the stream, so the output stays one ordinary frame that <c>zstd -d</c> reads.
    /// The frame carries a checksum of its content, as the <c>zstd</c> command writes by default: verification relies on
    /// it (see <see cref="DumpWriter"/>), and <c>zstd -t</c> can check a copy by hand.
    /// </remarks>
    private static CompressionStream Zstd(Stream output, int level)
    {
        var stream = new CompressionStream(output, level, leaveOpen: true);
        stream.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        if (ZstdWorkers > 1)
        {
            stream.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, ZstdWorkers);
        }

        return stream;
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
