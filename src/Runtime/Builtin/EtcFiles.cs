namespace Images.Runtime.Builtin;

/// <summary>
/// The content of the container's /etc/hosts, /etc/hostname and /etc/resolv.conf, as Docker makes them: the host's
/// hosts and resolv.conf with the host network, a loopback-only hosts without, the hostname on 127.0.1.1.
/// </summary>
internal static class EtcFiles
{
    public static IReadOnlyList<(string Name, string Content)> For(ProcessSpec spec)
    {
        string hostname = spec.Hostname is { Length: > 0 } h ? h : Environment.MachineName;
        string hosts = spec.Network == NetworkMode.Host && File.Exists("/etc/hosts")
            ? File.ReadAllText("/etc/hosts")
            : "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
        if (spec.Hostname is { Length: > 0 }) hosts += $"127.0.1.1\t{hostname}\n";
        return
        [
            ("hosts", hosts),
            ("hostname", hostname + "\n"),
            ("resolv.conf", File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : ""),
        ];
    }
}
