using System.Security.Cryptography;

namespace OpsAgent.Backups.Copies;

/// <summary>
/// A forward-only read stream over another that hashes (SHA-256) and counts what passes, holds to a bandwidth limit,
/// and runs a check at the end of the data that may throw, so a reader never sees a clean end of a stream that was bad.
/// </summary>
/// <remarks>
/// The end check is what keeps the copy contract honest: a target commits an upload only after reading to the end, so a
/// local file whose bytes no longer match its <c>.sha256</c>, or an <c>age</c> that failed, throws at the last read and
/// nothing becomes visible on the target.
/// </remarks>
internal sealed class CopyStream(Stream inner, long maxBytesPerSecond, TimeProvider time, Func<CopyStream, CancellationToken, ValueTask>? atEnd = null, IProgress<long>? progress = null) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly long _started = time.GetTimestamp();
    private bool _ended;
    private string? _sha256;

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>The SHA-256 (lower-case hex) of everything read; available once the end was reached.</summary>
    public string Sha256 => _sha256 ?? throw new InvalidOperationException("the stream was not read to its end");

    /// <summary>True once the end was reached and its check passed.</summary>
    public bool Completed => _sha256 is not null;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_ended)
        {
            return 0;
        }

        if (maxBytesPerSecond > 0 && buffer.Length > maxBytesPerSecond)
        {
            // Small reads keep the limit smooth: never more than a second's worth at once.
            buffer = buffer[..(int)Math.Max(1, Math.Min(buffer.Length, maxBytesPerSecond))];
        }

        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _ended = true;
            _sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (atEnd is not null)
            {
                try
                {
                    await atEnd(this, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    _sha256 = null;
                    throw;
                }
            }

            return 0;
        }

        _hash.AppendData(buffer.Span[..read]);
        BytesRead += read;
        progress?.Report(BytesRead);
        if (maxBytesPerSecond > 0)
        {
            var due = TimeSpan.FromSeconds((double)BytesRead / maxBytesPerSecond) - time.GetElapsedTime(_started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, time, cancellationToken).ConfigureAwait(false);
            }
        }

        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _hash.Dispose();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
