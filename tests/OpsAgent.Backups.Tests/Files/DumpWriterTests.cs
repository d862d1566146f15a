using System.Buffers;
using OpsAgent.Backups.Files;

namespace OpsAgent.Backups.Tests.Files;

/// <summary>What the dump's pipe holds in memory while a tool's output goes through compression to disk.</summary>
public sealed class DumpWriterTests
{
    /// <summary>Gives 64 KiB per read, as a tool's pipe does.</summary>
    private sealed class ShortReads(long length) : Stream
    {
        private long _left = length;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(Math.Min(count, 64 * 1024), _left);
            buffer.AsSpan(offset, n).Fill((byte)'x');
            _left -= n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Counts the bytes the pipe takes from it.</summary>
    private sealed class CountingPool : MemoryPool<byte>
    {
        private long _rented;

        public long Rented => Interlocked.Read(ref _rented);

        public override int MaxBufferSize => Shared.MaxBufferSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            var owner = Shared.Rent(minBufferSize);
            Interlocked.Add(ref _rented, owner.Memory.Length);
            return owner;
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    [TestCase(BackupCompression.Zstd)]
    [TestCase(BackupCompression.None)]
    public async Task Write_ToolGivingShortReads_PipeTakesAboutWhatPassesThroughIt(BackupCompression compression)
    {
        // Asking for a whole 256 KiB segment on each 64 KiB read took a new segment per read: four times the bytes that
        // passed, and a 1.2 GB dump peaked 50 MB higher (tests/bench/RESULTS.md, 2026-12-06).
        const long Size = 16L << 20;
        var path = Path.Combine(Path.GetTempPath(), $"opsagent-dumpwriter-{Guid.NewGuid():N}.dump");
        var pool = new CountingPool();
        try
        {
            await using (var file = DurableFiles.CreatePrivate(path))
            {
                var written = await DumpWriter.WriteAsync(new ShortReads(Size), file, compression, 1, null, pool, CancellationToken.None);
                Assert.That(written.UncompressedBytes, Is.EqualTo(Size));
            }

            Assert.That(pool.Rented, Is.LessThanOrEqualTo(Size + (Size / 8)), "bytes of segments taken for the bytes that passed");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
