using System.Security.Cryptography;
using Images.Platform;

namespace Images.Archive.Tests;

public sealed class DeterminismTests : IDisposable
{
    private readonly Scratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void SameTreeGivesSameBytesAndACopyToo()
    {
        string source = _scratch.Dir("source");
        SampleTrees.Rich(source);
        var first = SampleTrees.TarOf(source);
        Assert.Equal(first, SampleTrees.TarOf(source));

        // A copy has other inodes, atimes and ctimes (and was made later): the tar must not change.
        string copy = _scratch.Dir("copy");
        Thread.Sleep(1100);
        Scratch.Run("cp", "-a", source + "/.", copy);
        Scratch.Run("cat", Path.Combine(copy, "etc/big")); // bumps atime where the mount allows
        Assert.NotEqual(Files.Lstat(Path.Combine(source, "etc/big")).Inode, Files.Lstat(Path.Combine(copy, "etc/big")).Inode);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(first)), Convert.ToHexString(SHA256.HashData(SampleTrees.TarOf(copy))));
    }

    [Fact]
    public void EntriesAreSortedWithParentsFirstAndHardLinksAfterTheirFile()
    {
        string source = _scratch.Dir("source");
        Directory.CreateDirectory(Path.Combine(source, "a"));
        File.WriteAllText(Path.Combine(source, "a-b"), "x");
        File.WriteAllText(Path.Combine(source, "a/z"), "z");
        File.WriteAllText(Path.Combine(source, "B"), "b");
        Files.HardLink(Path.Combine(source, "a/z"), Path.Combine(source, "0link"));
        using var reader = new System.Formats.Tar.TarReader(new MemoryStream(SampleTrees.TarOf(source)));
        var entries = new List<string>();
        while (reader.GetNextEntry() is { } e) entries.Add($"{e.EntryType} {e.Name}{(e.EntryType == System.Formats.Tar.TarEntryType.HardLink ? " -> " + e.LinkName : "")}");
        Assert.Equal(["RegularFile 0link", "RegularFile B", "Directory a/", "HardLink a/z -> 0link", "RegularFile a-b"], entries);
    }

    [Fact]
    public void NoOwnerNamesNoAccessOrChangeTimes()
    {
        string source = _scratch.Dir("source");
        File.WriteAllText(Path.Combine(source, "f"), "x");
        Files.SetXattr(Path.Combine(source, "f"), "user.k", "v"u8);
        using var reader = new System.Formats.Tar.TarReader(new MemoryStream(SampleTrees.TarOf(source)));
        var entry = (System.Formats.Tar.PaxTarEntry)reader.GetNextEntry()!;
        Assert.Equal("", entry.UserName);
        Assert.Equal("", entry.GroupName);
        Assert.Equal(["SCHILY.xattr.user.k"], entry.ExtendedAttributes.Keys.Where(k => k != "path" && k != "mtime" && k != "size"));
    }

    [Fact]
    public void ClampMtimeCapsLaterTimes()
    {
        string source = _scratch.Dir("source");
        File.WriteAllText(Path.Combine(source, "new"), "n");
        File.WriteAllText(Path.Combine(source, "old"), "o");
        var clamp = DateTimeOffset.FromUnixTimeSeconds(1_000_000_000);
        Files.SetTimesNoFollow(Path.Combine(source, "old"), DateTimeOffset.FromUnixTimeSeconds(900_000_000));
        using var reader = new System.Formats.Tar.TarReader(new MemoryStream(SampleTrees.TarOf(source, new WriteOptions { ClampMtime = clamp })));
        Assert.Equal(clamp, reader.GetNextEntry()!.ModificationTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(900_000_000), reader.GetNextEntry()!.ModificationTime);
    }
}
