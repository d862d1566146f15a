using System.Net.Sockets;

namespace OpsAgent.Core.Networking;

/// <summary>The machine reasons for socket errors, shared by probes and certificate checks so one failure has one name.</summary>
public static class SocketReasons
{
    /// <summary><c>connection_refused</c>, <c>dns_failed</c>, <c>timeout</c>, <c>unreachable</c> or <c>connection_failed</c>.</summary>
    public static string Of(SocketException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection_refused",
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "dns_failed",
            SocketError.TimedOut => "timeout",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
            _ => "connection_failed",
        };
    }
}
