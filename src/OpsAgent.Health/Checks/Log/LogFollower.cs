using System.Text;

namespace OpsAgent.Health.Checks.Log;

/// <summary>
/// A file followed like <c>tail -F</c>: the handle stays open between checks so lines written before a rename are still
/// read; a path that now names another file (renamed or deleted and recreated) is reopened from its start; a file shorter
/// than the position (<c>copytruncate</c>) is read again from its start.
/// </summary>
internal sealed class LogFollower(string path) : IDisposable
{
    /// <summary>The most read in one check, so a log that grew by gigabytes while the agent was down cannot stall it.</summary>
    private const int MaxBytesPerCheck = 64 << 20;

    /// <summary>A line longer than this is cut (a binary file, a minified payload).</summary>
    private const int MaxLine = 64 << 10;

    private FileStream? _stream;
    private readonly StringBuilder _partial = new();

    /// <summary>Where the next read starts in the current file (persisted across agent restarts).</summary>
    public long Position { get; private set; } = -1;

    /// <summary>True once the file was opened: a path missing after that is a rotation in progress, not a mistake.</summary>
    public bool Seen { get; private set; }

    public void Dispose() => _stream?.Dispose();

    /// <summary>Where to resume after an agent restart: the saved offset if the file is at least that long, else its start.</summary>
    public void Resume(long offset) => Position = offset;

    /// <summary>Reads every complete new line; false when the file does not exist and never did.</summary>
    public bool Read(Action<string> line)
    {
        if (_stream is not null && !StillThePath(_stream))
        {
            // Renamed away: what was written to it before the rename is read first, then the new file from its start.
            Drain(_stream, line);
            _stream.Dispose();
            _stream = null;
            Position = 0;
            _partial.Clear();
        }

        if (_stream is null)
        {
            try
            {
                _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 << 10);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Between a rename and the application reopening its log, the path is briefly missing: nothing new yet.
                return Seen;
            }

            Seen = true;
            // First sight without a saved position: only lines written from now on count.
            Position = Position < 0 ? _stream.Length : Position;
        }

        if (_stream.Length < Position)
        {
            Position = 0;
            _partial.Clear();
        }

        _stream.Position = Position;
        Drain(_stream, line);
        return true;
    }

    private void Drain(FileStream stream, Action<string> line)
    {
        var buffer = new byte[64 << 10];
        var budget = MaxBytesPerCheck;
        int read;
        while (budget > 0 && (read = stream.Read(buffer, 0, Math.Min(buffer.Length, budget))) > 0)
        {
            budget -= read;
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                Append(buffer.AsSpan(start, i - start));
                line(_partial.ToString().TrimEnd('\r'));
                _partial.Clear();
                start = i + 1;
            }

            Append(buffer.AsSpan(start, read - start));
        }

        Position = stream.Position;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var room = MaxLine - _partial.Length;
        if (room > 0)
        {
            _partial.Append(Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, room)]));
        }
    }

    /// <summary>Whether the open handle is still the file the path names: on Linux both handles' /proc links (canonical, so symlinks in the path do not matter); elsewhere the path is trusted.</summary>
    private bool StillThePath(FileStream stream)
    {
        try
        {
            using var now = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            return !OperatingSystem.IsLinux() || string.Equals(Link(stream), Link(now), StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    private static string? Link(FileStream stream) => new FileInfo($"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
}
