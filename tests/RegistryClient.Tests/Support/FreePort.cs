using System.Net;
using System.Net.Sockets;

namespace Images.Registry.Client.Tests.Support;

public static class FreePort
{
    /// <summary>A port on 127.0.0.1 nothing listens on right now (the kernel's pick).</summary>
    public static int Pick()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
