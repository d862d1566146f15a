using System.Text;
using System.Text.Json;

namespace OpsAgent.Control;

/// <summary>A <see cref="TextWriter"/> whose lines go to the CLI as <see cref="ControlMessage"/>s, so a verb prints the same in the daemon as in the CLI.</summary>
internal sealed class ControlWriter(Stream stream) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _lock = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value == '\n')
            {
                Send(new ControlMessage(Out: _line.ToString().TrimEnd('\r')));
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }
    }

    /// <summary>Sends what is left of the last line, then the exit code.</summary>
    public void Finish(int exit)
    {
        lock (_lock)
        {
            if (_line.Length > 0)
            {
                Send(new ControlMessage(Out: _line.ToString()));
                _line.Clear();
            }

            Send(new ControlMessage(Exit: exit));
        }
    }

    /// <summary>Says that the daemon runs <paramref name="mainFile"/>, not the file the CLI was given, and runs nothing.</summary>
    public void RunsOther(string mainFile)
    {
        lock (_lock)
        {
            Send(new ControlMessage(Runs: mainFile));
        }
    }

    private void Send(ControlMessage message)
    {
        try
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(message, ControlJsonContext.Default.ControlMessage));
            stream.WriteByte((byte)'\n');
            stream.Flush();
        }
        catch (IOException)
        {
            // The CLI went away; the verb finishes in the daemon regardless of who watches.
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
