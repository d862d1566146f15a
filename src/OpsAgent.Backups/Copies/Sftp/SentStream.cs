using System.Security.Cryptography;

namespace OpsAgent.Backups.Copies.Sftp;

/// <summary>
/// Reads the content through while counting (and hashing) what SSH.NET takes from it, and remembers whether the content
/// itself failed, so that its exception reaches the copy stage as it was thrown instead of as an SFTP failure.
/// </summary>
/// <remarks>
/// Each read honours <paramref name="stop"/>: SSH.NET's UploadFileAsync does not look at its token while
/// it copies (a cancelled 256 MB upload ran to the end, seen in a test), so the content stops instead.
/// </remarks>
internal sealed class SentStream(Stream inner, bool hash, CancellationToken stop) : Stream
{
    private readonly IncrementalHash? _hash = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;

    /// <summary>The bytes read so far.</summary>
    public long Count { get; private set; }

    /// <summary>True once a read of the content threw.</summary>
    public bool Failed { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Count;
        set => throw new NotSupportedException();
    }

    /// <summary>The SHA-256 of what was read (lower-case hex); null when not hashing.</summary>
    public string? Sha256() => _hash is null ? null : Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        stop.ThrowIfCancellationRequested();
        int read;
        try
        {
            read = inner.Read(buffer);
        }
        catch
        {
            Failed = true;
            throw;
        }

        return Took(buffer[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        stop.ThrowIfCancellationRequested();
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken.CanBeCanceled ? cancellationToken : stop).ConfigureAwait(false);
        }
        catch
        {
            Failed = true;
            throw;
        }

        return Took(buffer.Span[..read]);
    }

    private int Took(ReadOnlySpan<byte> data)
    {
        Count += data.Length;
        _hash?.AppendData(data);
        return data.Length;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash?.Dispose();
        }

        base.Dispose(disposing);
    }
}
