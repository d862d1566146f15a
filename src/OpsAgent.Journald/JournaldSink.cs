using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Serilog.Core;
using Serilog.Events;

namespace OpsAgent.Journald;

/// <summary>A Serilog sink that writes structured entries to journald over its native datagram socket.</summary>
/// <remarks>
/// <para>Fields are captured and redacted on the caller's thread (so they carry the values of that moment) and queued;
/// one background task fits them to the datagram limit, encodes and sends them. A slow or stuck journald therefore never blocks a probe or a backup: when the queue is full, new
/// entries are dropped and counted, and the count is reported in the next entry that gets through.</para>
/// <para>When the socket does not exist (not under systemd, or in a container) every entry goes to <see cref="JournaldSinkOptions.Fallback"/>.</para>
/// </remarks>
public sealed class JournaldSink : ILogEventSink, IDisposable
{
    private readonly JournaldSinkOptions _options;
    private readonly Channel<(IReadOnlyList<KeyValuePair<string, byte[]>> Fields, LogEvent Event)> _queue;
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly Task _sender;
    private readonly byte[] _identifier;
    private long _dropped;
    private long _droppedUnreported;

    /// <summary>Creates the sink; when the socket is missing it only forwards to the fallback.</summary>
    public JournaldSink(JournaldSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _identifier = Encoding.UTF8.GetBytes(options.SyslogIdentifier);
        _queue = Channel.CreateBounded<(IReadOnlyList<KeyValuePair<string, byte[]>>, LogEvent)>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });

        if (!OperatingSystem.IsWindows() && File.Exists(options.SocketPath))
        {
            _endpoint = new UnixDomainSocketEndPoint(options.SocketPath);
            // Non-blocking: a full journald queue is waited out by the sender loop, bounded by SendTimeout.
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
        }

        _sender = _socket is null ? Task.CompletedTask : Task.Run(SendLoopAsync);
    }

    /// <summary>Whether entries go to journald (false: console fallback).</summary>
    public bool UsesJournal => _socket is not null;

    /// <summary>Entries dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private void CountDrop()
    {
        Interlocked.Increment(ref _dropped);
        Interlocked.Increment(ref _droppedUnreported);
    }

    /// <summary>
    /// A property that sets PRIORITY (0-7) instead of the level's, for notice (5), which has no .NET level; the agent's
    /// <c>EventScope.Priority</c> has the same name. It is not repeated as a field.
    /// </summary>
    public const string PriorityProperty = "SyslogPriority";

    /// <summary>The entry's syslog priority: <see cref="PriorityProperty"/> when set, else the level's.</summary>
    public static int Priority(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        return logEvent.Properties.TryGetValue(PriorityProperty, out var value) && value is ScalarValue { Value: int priority and >= 0 and <= 7 }
            ? priority
            : Priority(logEvent.Level);
    }

    /// <summary>Maps Serilog levels to syslog priorities: Verbose/Debug 7, Information 6, Warning 4, Error 3, Fatal 2.</summary>
    public static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => 7,
        LogEventLevel.Information => 6,
        LogEventLevel.Warning => 4,
        LogEventLevel.Error => 3,
        _ => 2,
    };

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (_socket is null)
        {
            _options.Fallback?.Emit(logEvent);
            return;
        }

        if (!_queue.Writer.TryWrite((BuildFields(logEvent), logEvent)))
        {
            CountDrop();
        }
    }

    /// <summary>The fields of one entry, values redacted.</summary>
    public List<KeyValuePair<string, byte[]>> BuildFields(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var fields = new List<KeyValuePair<string, byte[]>>(8 + logEvent.Properties.Count);
        void Add(string name, string value) => fields.Add(new(name, Encoding.UTF8.GetBytes(_options.Redact(value))));

        Add("MESSAGE", MessageRenderer.Render(logEvent));
        fields.Add(new("PRIORITY", [(byte)('0' + Priority(logEvent))]));
        fields.Add(new("SYSLOG_IDENTIFIER", _identifier));
        Add("MESSAGE_TEMPLATE", logEvent.MessageTemplate.Text);
        if (logEvent.Exception is { } exception)
        {
            Add("EXCEPTION", exception.ToString());
        }

        var dropped = Interlocked.Exchange(ref _droppedUnreported, 0);
        if (dropped > 0)
        {
            Add(_options.PropertyPrefix + "DROPPED_ENTRIES", dropped.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var (key, value) in logEvent.Properties.Where(p => p.Key != PriorityProperty))
        {
            AddProperty(fields, key, value, Add);
        }

        return fields;
    }

    private void AddProperty(List<KeyValuePair<string, byte[]>> fields, string key, LogEventPropertyValue value, Action<string, string> add)
    {
        if (value is StructureValue structure && key == "EventId")
        {
            // Microsoft.Extensions.Logging's EventId arrives as { Id, Name }; the stable number is what operators filter on.
            foreach (var p in structure.Properties)
            {
                AddProperty(fields, p.Name == "Id" ? "EventId" : "EventName", p.Value, add);
            }

            return;
        }

        var sanitized = JournalFields.SanitizeName(key);
        if (sanitized is null)
        {
            return;
        }

        var name = sanitized.StartsWith(_options.PropertyPrefix, StringComparison.Ordinal) ? sanitized : _options.PropertyPrefix + sanitized;
        if (name.Length > JournalFields.MaxNameLength)
        {
            name = name[..JournalFields.MaxNameLength].TrimEnd('_');
        }

        add(name, MessageRenderer.RenderValue(value));
    }

    private async Task SendLoopAsync()
    {
        await foreach (var (fields, logEvent) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await SendAsync(fields, logEvent).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(IReadOnlyList<KeyValuePair<string, byte[]>> fields, LogEvent logEvent)
    {
        var datagram = JournalFields.Encode(JournalFields.Truncate(fields, _options.MaxDatagramBytes));
        var deadline = Environment.TickCount64 + (long)_options.SendTimeout.TotalMilliseconds;
        while (true)
        {
            try
            {
                _socket!.SendTo(datagram, SocketFlags.None, _endpoint!);
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.NoBufferSpaceAvailable)
            {
                if (Environment.TickCount64 >= deadline)
                {
                    CountDrop();
                    return;
                }

                await Task.Delay(5).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.MessageSize && datagram.Length > 4096)
            {
                // The host's limit is below MaxDatagramBytes: send the entry cut to a size it does accept.
                datagram = JournalFields.Encode(JournalFields.Truncate(fields, Math.Min(datagram.Length / 2, 64 * 1024)));
            }
            catch (SocketException)
            {
                // journald is gone (restarting, or the socket was removed): keep the entry on the console.
                if (_options.Fallback is { } fallback)
                {
                    fallback.Emit(logEvent);
                }
                else
                {
                    CountDrop();
                }

                return;
            }
        }
    }

    /// <summary>Sends what is queued (up to two seconds) and closes the socket.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _sender.Wait(TimeSpan.FromSeconds(2));
        _socket?.Dispose();
        (_options.Fallback as IDisposable)?.Dispose();
    }
}
