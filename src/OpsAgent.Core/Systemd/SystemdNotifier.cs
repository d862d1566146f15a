using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using OpsAgent.Core.Logging;

namespace OpsAgent.Core.Systemd;

/// <summary>Sends sd_notify messages (<c>READY=1</c>, <c>WATCHDOG=1</c>, <c>STATUS=</c>, <c>RELOADING=1</c>) to <c>NOTIFY_SOCKET</c>.</summary>
/// <remarks>
/// Microsoft.Extensions.Hosting.Systemd only notifies when it detects that systemd is the parent process and only sends
/// READY/STOPPING; the agent needs WATCHDOG and STATUS too, and must notify whenever <c>NOTIFY_SOCKET</c> is set (for example
/// under <c>systemd-run</c> or a test harness), so it reads the variables itself.
/// </remarks>
public sealed partial class SystemdNotifier : IDisposable
{
    private readonly ILogger<SystemdNotifier> _logger;
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly Lock _gate = new();

    /// <summary>Reads <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c> from the environment.</summary>
    public SystemdNotifier(ILogger<SystemdNotifier> logger)
    {
        _logger = logger;
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (!string.IsNullOrEmpty(path) && !OperatingSystem.IsWindows())
        {
            // '@' denotes the abstract namespace, which .NET spells with a leading NUL.
            _endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        }

        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        var forUs = string.IsNullOrEmpty(pid) || pid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (forUs && long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) && micros > 0)
        {
            WatchdogTimeout = TimeSpan.FromMicroseconds(micros);
        }
    }

    /// <summary>Whether a notify socket is configured.</summary>
    public bool Enabled => _socket is not null;

    /// <summary>The watchdog timeout systemd enforces, when <c>WatchdogSec=</c> is set.</summary>
    public TimeSpan? WatchdogTimeout { get; }

    /// <summary>Sends <paramref name="state"/> (newline-separated assignments); failures are logged, never thrown.</summary>
    public bool Notify(string state)
    {
        if (_socket is null || _endpoint is null)
        {
            return false;
        }

        try
        {
            lock (_gate)
            {
                _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endpoint);
            }

            return true;
        }
        catch (SocketException ex)
        {
            LogNotifyFailed(_logger, ex.SocketErrorCode.ToString(), ex);
            return false;
        }
    }

    /// <summary>Sends <c>READY=1</c> with a status line.</summary>
    public void Ready(string status) => Notify($"READY=1\nSTATUS={OneLine(status)}");

    /// <summary>Sends <c>RELOADING=1</c> with the monotonic timestamp systemd 253+ expects.</summary>
    public void Reloading() => Notify(string.Create(CultureInfo.InvariantCulture, $"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}"));

    /// <summary>Sends <c>STATUS=</c>, with <c>WATCHDOG=1</c> in the same datagram when systemd set a watchdog.</summary>
    public void Heartbeat(string status)
        => Notify(WatchdogTimeout is null ? $"STATUS={OneLine(status)}" : $"WATCHDOG=1\nSTATUS={OneLine(status)}");

    /// <summary>Sends <c>STOPPING=1</c>.</summary>
    public void Stopping() => Notify("STOPPING=1");

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    // Stopwatch reads CLOCK_MONOTONIC on Linux, the clock systemd compares MONOTONIC_USEC with.
    private static long MonotonicMicroseconds() => (long)(System.Diagnostics.Stopwatch.GetTimestamp() * (1_000_000.0 / System.Diagnostics.Stopwatch.Frequency));

    [LoggerMessage(EventId = EventIds.Systemd.NotifyFailed, Level = LogLevel.Warning, Message = "sd_notify to NOTIFY_SOCKET failed: {SocketError}")]
    private static partial void LogNotifyFailed(ILogger logger, string socketError, Exception exception);

    /// <inheritdoc />
    public void Dispose() => _socket?.Dispose();
}
