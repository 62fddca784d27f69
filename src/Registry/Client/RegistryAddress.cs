using System.Net;

namespace Images.Registry.Client;

/// <summary>How a registry host (<c>host[:port]</c>) is reached: loopback hosts over plain HTTP, others over TLS.</summary>
public static class RegistryAddress
{
    public static bool IsLoopback(string host)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        string name = host;
        if (name.StartsWith('[')) name = name[1..name.IndexOf(']')];
        else if (name.Count(c => c == ':') == 1) name = name[..name.IndexOf(':')];
        return name == "localhost" || (IPAddress.TryParse(name, out var ip) && IPAddress.IsLoopback(ip));
    }
}
