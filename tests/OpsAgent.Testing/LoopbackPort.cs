using System.Net;
using System.Net.Sockets;

namespace OpsAgent.Testing;

/// <summary>Loopback ports for tests that need a server, or a port nothing listens on.</summary>
public static class LoopbackPort
{
    /// <summary>A port the kernel just handed out and that is closed again: connecting to it is refused.</summary>
    public static int Unused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
