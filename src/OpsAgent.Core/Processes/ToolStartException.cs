namespace OpsAgent.Core.Processes;

/// <summary>The tool could not be started at all (not installed, container missing).</summary>
public sealed class ToolStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ToolStartException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public ToolStartException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a reason from <see cref="ToolStartReasons"/>.</summary>
    public ToolStartException(string reason, string message, Exception? inner) : base(message, inner) => Reason = reason;

    /// <summary>Creates the exception.</summary>
    public ToolStartException() { }

    /// <summary>Why (<see cref="ToolStartReasons"/>).</summary>
    public string Reason { get; } = ToolStartReasons.ToolMissing;
}

/// <summary>Keeps the last <c>capacity</c> characters a tool wrote to stderr.</summary>
internal sealed class TailBuffer(int capacity = 64 * 1024)
{
    private readonly System.Text.StringBuilder _text = new();
    private readonly System.Text.Decoder _decoder = System.Text.Encoding.UTF8.GetDecoder();
    private readonly Lock _lock = new();

    public void Append(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[1024];
        lock (_lock)
        {
            while (!bytes.IsEmpty)
            {
                var take = Math.Min(bytes.Length, 1024);
                _decoder.Convert(bytes[..take], chars, flush: false, out var used, out var produced, out _);
                _text.Append(chars[..produced]);
                bytes = bytes[used..];
            }

            if (_text.Length > capacity)
            {
                _text.Remove(0, _text.Length - capacity);
            }
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return _text.ToString();
        }
    }
}
