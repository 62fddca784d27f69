using System.Text;
using Images.Platform;

namespace Images.Archive.Tests;

/// <summary>Small trees with every kind of entry and metadata a root filesystem holds.</summary>
public static class SampleTrees
{
    public static readonly byte[] BinaryCapability = [0x01, 0x00, 0x00, 0x02, 0x80, 0x20, 0x00, 0x00, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    public static void Rich(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "etc/app"));
        File.WriteAllText(Path.Combine(root, "etc/app/config"), "key=value\n");
        File.WriteAllBytes(Path.Combine(root, "etc/big"), Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray());
        File.WriteAllText(Path.Combine(root, "etc/empty"), "");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.WriteAllText(Path.Combine(root, "bin/suid"), "#!/bin/sh\n");
        Files.Lchown(Path.Combine(root, "bin/suid"), 0, 0);
        Files.Chmod(Path.Combine(root, "bin/suid"), 0xded); // 06755
        File.WriteAllText(Path.Combine(root, "bin/owned"), "owned by 1234:5678");
        Files.Lchown(Path.Combine(root, "bin/owned"), 1234, 5678);
        Files.Chmod(Path.Combine(root, "bin/owned"), 0x1a0); // 0640
        Files.SetXattr(Path.Combine(root, "bin/owned"), "security.capability", BinaryCapability);
        Files.SetXattr(Path.Combine(root, "bin/owned"), "user.comment", "hello"u8);
        Files.SetXattr(Path.Combine(root, "bin/owned"), "trusted.note", "t"u8);
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        Files.Chmod(Path.Combine(root, "tmp"), 0x3ff); // 01777
        File.CreateSymbolicLink(Path.Combine(root, "bin/sh"), "suid");
        File.CreateSymbolicLink(Path.Combine(root, "etc/abs"), "/etc/app/config");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "../nowhere/at/all");
        Files.HardLink(Path.Combine(root, "etc/app/config"), Path.Combine(root, "bin/config-link"));
        Files.HardLink(Path.Combine(root, "etc/app/config"), Path.Combine(root, "tmp/config-link2"));
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        Files.Mknod(Path.Combine(root, "dev/null"), Files.S_IFCHR | 0x1b6, 1, 3);
        Files.Mknod(Path.Combine(root, "dev/loopx"), Files.S_IFBLK | 0x180, 7, 200);
        Files.Mknod(Path.Combine(root, "dev/fifo"), Files.S_IFIFO | 0x1a4, 0, 0);
        string unicode = Path.Combine(root, "données", "日本語-файл ✓.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(unicode)!);
        File.WriteAllText(unicode, "unicode");
        string deep = Path.Combine(root, string.Join('/', Enumerable.Range(0, 6).Select(i => new string((char)('a' + i), 60))));
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, new string('n', 200)), "long name");
        File.CreateSymbolicLink(Path.Combine(root, "longlink"), new string('t', 150) + "/" + new string('u', 150));
        int second = 1_500_000_000;
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
            Files.SetTimesNoFollow(path, DateTimeOffset.FromUnixTimeSeconds(second++).AddTicks(1234567));
    }

    /// <summary>A layer tar of <paramref name="root"/>, as bytes.</summary>
    public static byte[] TarOf(string root, WriteOptions? options = null)
    {
        var output = new MemoryStream();
        LayerWriter.WriteTree(output, root, options);
        return output.ToArray();
    }

    public static string Text(string path) => File.ReadAllText(path, Encoding.UTF8);
}
