using System.Formats.Tar;
using static Images.Inspect.Tests.TestLayout;

namespace Images.Inspect.Tests;

/// <summary>
/// The image most tests inspect, with what its layers do worked out by hand:
/// <code>
/// layer 1 (base)  /etc/config 100, /data/big 1000, /data/dup 300, /tmp/scratch 500, /opt/tool 50 (0644),
///                 /lib/a 10, /lib/b 20, /var/cache/x 200, /var/cache/y 300           size 2480
/// layer 2         /etc/ again unchanged, /etc/config rewritten (120), /new added (40),
///                 /tmp/scratch whited out (500 removed)                              size  160
/// layer 3         /opt/tool chmod 0755 (50 again), /data/dup copied again (300, same bytes),
///                 /lib opaque (a, b removed) + /lib/c (5), /var/cache whited out (500) size  355
/// </code>
/// Occurrences per file (dive): config 100+120, dup 300+300, scratch 500+0, tool 50+50, lib/a 10+0, lib/b 20+0,
/// cache/x 200+0, cache/y 300+0 (all wasted: 1950); big 1000, new 40, lib/c 5 once.
/// Σ cumulative = 2995, Σ minimum = 100+1000+300+0+50+0+0+0+0+40+5 = 1495: efficiency 1495/2995.
/// User size = 160+355 = 515: user wasted percent = 1950/515.
/// </summary>
public static class SampleImage
{
    public const long TotalSize = 2995;
    public const long UserSize = 515;
    public const long WastedBytes = 1950;
    public const double Efficiency = 1495.0 / 2995.0;
    public const double UserWastedPercent = 1950.0 / 515.0;

    public const string BaseCommand = "ADD rootfs.tar /";

    /// <summary>The entries of the base layer (new objects on each call: a tar entry is written once).</summary>
    public static TarEntry[] BaseEntries() =>
    [
        Dir("/etc"), File("/etc/config", 100),
        Dir("/data"), File("/data/big", 1000, (byte)'b'), File("/data/dup", 300, (byte)'d'),
        Dir("/tmp", 0x3ff), File("/tmp/scratch", 500),
        Dir("/opt"), File("/opt/tool", 50, (byte)'t'),
        Dir("/lib"), File("/lib/a", 10), File("/lib/b", 20),
        Dir("/var"), Dir("/var/cache"), File("/var/cache/x", 200), File("/var/cache/y", 300),
    ];

    public static TestLayout Build() => new TestLayout()
        .Layer(BaseCommand, BaseEntries())
        .Layer("RUN edit config && rm /tmp/scratch",
            Dir("/etc"), File("/etc/config", 120, (byte)'c'), File("/new", 40), Whiteout("/tmp/scratch"))
        .Layer("RUN chmod +x /opt/tool && cp dup again && reset /lib && rm -r /var/cache",
            File("/opt/tool", 50, (byte)'t', mode: 0x1ed), File("/data/dup", 300, (byte)'d'),
            Opaque("/lib"), File("/lib/c", 5), Whiteout("/var/cache"));

    /// <summary>Expected changes per layer: "kind path size".</summary>
    public static readonly string[][] Changes =
    [
        [
            "Added /data 0", "Added /data/big 1000", "Added /data/dup 300", "Added /etc 0", "Added /etc/config 100",
            "Added /lib 0", "Added /lib/a 10", "Added /lib/b 20", "Added /opt 0", "Added /opt/tool 50",
            "Added /tmp 0", "Added /tmp/scratch 500", "Added /var 0", "Added /var/cache 0",
            "Added /var/cache/x 200", "Added /var/cache/y 300",
        ],
        ["Unchanged /etc 0", "Modified /etc/config 120", "Added /new 40", "Removed /tmp/scratch 500"],
        [
            "Modified /data/dup 300", "Removed /lib/a 10", "Removed /lib/b 20", "Added /lib/c 5",
            "Modified /opt/tool 50", "Removed /var/cache 500",
        ],
    ];
}
