namespace Images.Runtime.Tests.Support;

/// <summary>
/// A tiny root filesystem: static busybox with the applets the tests use, a named user and groups, and the
/// /etc files a runtime binds over. Small on purpose (file creation is the slow part on the test disks).
/// </summary>
public static class BusyboxTree
{
    public const string BusyboxPath = "/bin/busybox";

    /// <summary>alice (1000:1000) is also in group staff (2000); bob (1001) has no supplementary group.</summary>
    public const string Passwd = "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    public const string Group = "root:x:0:\nalice:x:1000:\nbob:x:1001:\nstaff:x:2000:alice\nnogroup:x:65534:\n";

    public static readonly string[] Applets =
    [
        "sh", "echo", "cat", "ls", "id", "hostname", "ps", "env", "pwd", "true", "false", "sleep", "kill", "rm",
        "chmod", "mkdir", "touch", "wc", "grep", "test", "head", "stat", "readlink", "uname", "cut", "tr", "sort",
        "printf", "which", "find", "ln", "cp", "mv", "ip", "mount", "whoami", "seq",
    ];

    /// <summary>Writes the tree into <paramref name="root"/> (which must exist).</summary>
    public static void Write(string root)
    {
        if (!File.Exists(BusyboxPath))
            Assert.Fail($"{BusyboxPath} is missing: install Debian's busybox-static (test.sh does)");
        foreach (var dir in new[] { "bin", "etc", "root", "home/alice", "home/bob", "tmp", "proc", "sys", "dev", "srv", "usr/bin" })
            Directory.CreateDirectory(Path.Combine(root, dir));
        File.Copy(BusyboxPath, Path.Combine(root, "bin/busybox"));
        foreach (var applet in Applets)
            File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
        File.WriteAllText(Path.Combine(root, "etc/passwd"), Passwd);
        File.WriteAllText(Path.Combine(root, "etc/group"), Group);
        File.WriteAllText(Path.Combine(root, "etc/hosts"), "");
        File.WriteAllText(Path.Combine(root, "etc/hostname"), "");
        File.WriteAllText(Path.Combine(root, "etc/resolv.conf"), "");
        File.SetUnixFileMode(Path.Combine(root, "tmp"), (UnixFileMode)Convert.ToInt32("1777", 8));
    }
}
