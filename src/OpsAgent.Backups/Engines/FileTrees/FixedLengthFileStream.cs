namespace OpsAgent.Backups.Engines.FileTrees;

/// <summary>
/// A file read as exactly the length it had when its tar header was written: a file that grows meanwhile is cut there,
/// one that shrinks is padded with zeros, so the archive stays well-formed whatever the application does to the file.
/// </summary>
/// <remarks>It reports a fixed <see cref="Length"/> (and so claims to seek) because TarWriter takes an entry's size from its data stream's length.</remarks>
internal sealed class FixedLengthFileStream(FileStream file, long length) : Stream
{
    private long _position;

    /// <summary>The file ended before <see cref="Length"/> bytes: it shrank (or was truncated) while read.</summary>
    public bool Shrank { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set
        {
            if (value != _position)
            {
                throw new NotSupportedException("a file being archived is read once, in order");
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var wanted = (int)Math.Min(buffer.Length, length - _position);
        if (wanted <= 0)
        {
            return 0;
        }

        var read = Shrank ? 0 : file.Read(buffer[..wanted]);
        return Advance(buffer, wanted, read);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var wanted = (int)Math.Min(buffer.Length, length - _position);
        if (wanted <= 0)
        {
            return 0;
        }

        var read = Shrank ? 0 : await file.ReadAsync(buffer[..wanted], cancellationToken).ConfigureAwait(false);
        return Advance(buffer.Span, wanted, read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Advance(Span<byte> buffer, int wanted, int read)
    {
        if (read == 0)
        {
            Shrank = true;
            buffer[..wanted].Clear();
            read = wanted;
        }

        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        Position = target;
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
