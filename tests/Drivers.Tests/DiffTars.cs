using System.Formats.Tar;
using Images.Archive;
using Images.Drivers.Common;
using Images.Platform;

namespace Images.Drivers.Tests;

/// <summary>
/// A layer's tar both ways: from its native diff dir, and by comparing its mounted tree with its parent's. The two
/// tars are not byte-identical today (LayerWriter orders a directory's whiteouts differently in the two modes, stamps
/// generic whiteouts with mtime 0 and native ones with the device's mtime, and a native diff keeps the unchanged
/// directories a copy-up made); what must hold is that they have the same files and whiteouts and turn the parent into
/// the same tree.
/// </summary>
public static class DiffTars
{
    /// <summary>A base layer for <see cref="ChangeChild"/>.</summary>
    public static void WriteBase(string root)
    {
        Write(root, "etc/config", "original");
        Write(root, "etc/removed", "removed");
        Write(root, "bin/tool", "tool", 0x1ed);
        Write(root, "var/data/keep", "keep");
    }

    /// <summary>Every kind of change on <see cref="WriteBase"/>: modify, delete, chmod, add in old and new directories, symlink.</summary>
    public static void ChangeChild(string root)
    {
        File.WriteAllText(Path.Combine(root, "etc/config"), "changed");
        File.Delete(Path.Combine(root, "etc/removed"));
        Files.Chmod(Path.Combine(root, "bin/tool"), 0x1c0);
        Write(root, "var/data/added", "added");
        Write(root, "opt/app/new", "new");
        File.CreateSymbolicLink(Path.Combine(root, "opt/link"), "app/new");
    }

    private static void Write(string root, string relative, string content, uint mode = 0x1a4)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        Files.Chmod(path, mode);
    }

    public static byte[] Native(NativeDiff diff)
    {
        using var output = new MemoryStream();
        LayerWriter.WriteDiffDirectory(output, diff.Directory, diff.Format);
        return output.ToArray();
    }

    public static void AssertEquivalent(IGraphDriver driver, string parent, string id, NativeDiff native)
    {
        byte[] nativeTar = Native(native);
        string parentRoot = driver.Mount(parent);
        string scratch = Directory.CreateTempSubdirectory("difftars-").FullName;
        try
        {
            string root = driver.Mount(id);
            try
            {
                using var output = new MemoryStream();
                LayerWriter.WriteChanges(output, root, Changes.Compute(parentRoot, root));
                byte[] genericTar = output.ToArray();
                Assert.Equal(NonDirectories(genericTar), NonDirectories(nativeTar));

                var expected = TreeSnapshot.Of(root);
                foreach (var (name, tar) in new[] { ("generic", genericTar), ("native", nativeTar) })
                {
                    string target = Path.Combine(scratch, name);
                    TreeCopy.Copy(parentRoot, target);
                    LayerApplier.Apply(new MemoryStream(tar), target);
                    TreeSnapshot.AssertEqual(expected, TreeSnapshot.Of(target));
                }
            }
            finally
            {
                driver.Unmount(id);
            }
        }
        finally
        {
            driver.Unmount(parent);
            TreeDelete.Delete(scratch);
        }
    }

    /// <summary>The tar's entries other than directories, as "name type mode size", sorted.</summary>
    public static IReadOnlyList<string> NonDirectories(byte[] tar)
    {
        var lines = new List<string>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry() is { } entry)
            if (entry.EntryType != TarEntryType.Directory)
                lines.Add($"{entry.Name} {entry.EntryType} {Convert.ToString((int)entry.Mode, 8)} {entry.Length}");
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
