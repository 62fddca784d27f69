using System.Text.Json.Nodes;
using Images.Runtime.Builtin;
using Images.Runtime.Users;

namespace Images.Runtime.Runc;

/// <summary>
/// An OCI runtime-spec bundle for runc: config.json made from a <see cref="ProcessSpec"/>, with Docker's defaults
/// (namespaces, /proc /dev /sys mounts, capabilities, masked and read-only /proc paths), the rootfs as given, and
/// the /etc files bound from the bundle directory. The user is resolved here (runc takes numeric ids only).
/// </summary>
internal static class RuncBundle
{
    private static readonly string[] MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
    ];

    private static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>Writes config.json and the /etc files into <paramref name="bundle"/>, for <paramref name="plan"/> prepared on the rootfs.</summary>
    public static void Write(string bundle, string rootfs, ProcessSpec spec, ExecPlan plan)
    {
        string? hostname = spec.Hostname is { Length: > 0 } h ? h : null;
        var user = plan.User;

        var mounts = new JsonArray
        {
            Mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
        };
        foreach (var (name, content) in EtcFiles.For(spec))
        {
            // Bound only over files the image has, as the builtin runtime does (never recorded in the rw layer).
            string? target = RootfsPath.Resolve(rootfs, "/etc/" + name, RootfsPath.Create.None);
            if (target is null || !File.Exists(target)) continue;
            string source = Path.Combine(bundle, name);
            File.WriteAllText(source, content);
            mounts.Add(Mount("/etc/" + name, "bind", source, "rbind", "rprivate"));
        }
        foreach (var v in spec.Volumes)
            mounts.Add(Mount(v.Destination, "bind", v.Source, "rbind", "rprivate", v.ReadOnly ? "ro" : "rw"));

        var namespaces = new JsonArray { Ns("pid"), Ns("ipc"), Ns("uts"), Ns("mount") };
        if (spec.Network == NetworkMode.None) namespaces.Add(Ns("network"));

        var caps = Strings(DefaultCapabilities.Names);
        var config = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["terminal"] = false,
                ["user"] = new JsonObject
                {
                    ["uid"] = user.Uid,
                    ["gid"] = user.Gid,
                    ["additionalGids"] = new JsonArray([.. user.Groups.Select(g => (JsonNode)g)]),
                },
                ["args"] = Strings(spec.Args),
                ["env"] = Strings(plan.Env),
                ["cwd"] = spec.WorkingDir,
                ["capabilities"] = new JsonObject
                {
                    ["bounding"] = caps.DeepClone(),
                    ["effective"] = caps.DeepClone(),
                    ["permitted"] = caps.DeepClone(),
                },
                ["noNewPrivileges"] = true,
            },
            ["root"] = new JsonObject { ["path"] = Path.GetFullPath(rootfs), ["readonly"] = spec.ReadOnlyRootfs },
            ["mounts"] = mounts,
            ["linux"] = new JsonObject
            {
                ["namespaces"] = namespaces,
                ["maskedPaths"] = Strings(MaskedPaths),
                ["readonlyPaths"] = Strings(ReadonlyPaths),
            },
        };
        if (hostname is not null) config["hostname"] = hostname;
        File.WriteAllText(Path.Combine(bundle, "config.json"), config.ToJsonString(new() { WriteIndented = true }));
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);

    private static JsonObject Ns(string type) => new() { ["type"] = type };

    private static JsonObject Mount(string destination, string type, string source, params string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = Strings(options),
    };
}
