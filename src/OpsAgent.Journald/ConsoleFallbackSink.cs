using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace OpsAgent.Journald;

/// <summary>Writes log entries to standard error when journald's socket is not available.</summary>
/// <remarks>
/// When started by systemd (<c>JOURNAL_STREAM</c> or <c>INVOCATION_ID</c> set) each line carries a <c>&lt;N&gt;</c>
/// priority prefix, which journald's stream reader turns into the entry's priority; otherwise lines are time-stamped
/// for a terminal. Standard error keeps standard output free for CLI results such as <c>status --json</c>.
/// </remarks>
/// <param name="writer">Where to write (standard error by default).</param>
/// <param name="redact">Applied to every line.</param>
/// <param name="systemdPrefixes">Force or suppress the <c>&lt;N&gt;</c> prefixes; detected from the environment when null.</param>
public sealed class ConsoleFallbackSink(TextWriter? writer = null, Func<string, string>? redact = null, bool? systemdPrefixes = null) : ILogEventSink
{
    private readonly TextWriter _writer = writer ?? Console.Error;
    private readonly Func<string, string> _redact = redact ?? (static s => s);
    private readonly bool _prefixes = systemdPrefixes ?? (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 }
                                                          || Environment.GetEnvironmentVariable("INVOCATION_ID") is { Length: > 0 });
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var text = MessageRenderer.Render(logEvent);
        if (logEvent.Exception is { } ex)
        {
            text += Environment.NewLine + ex;
        }

        text = _redact(text);
        var priority = JournaldSink.Priority(logEvent);
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        lock (_gate)
        {
            foreach (var line in lines)
            {
                if (_prefixes)
                {
                    _writer.WriteLine($"<{priority}>{line}");
                }
                else
                {
                    _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{logEvent.Timestamp.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} {Abbreviation(logEvent.Level)} {line}"));
                }
            }

            _writer.Flush();
        }
    }

    private static string Abbreviation(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "VRB",
        LogEventLevel.Debug => "DBG",
        LogEventLevel.Information => "INF",
        LogEventLevel.Warning => "WRN",
        LogEventLevel.Error => "ERR",
        _ => "FTL",
    };
}
