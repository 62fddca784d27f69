namespace Images.Inspect.Tests;

public sealed class ChangeTreeTests
{
    private static readonly FileFacts Directory = new(FileType.Directory, 0, 0x1ed, 0, 0);

    private static LayerChange Change(string path, ChangeKind kind, long size, bool directory = false) =>
        new(path, kind, directory ? Directory : new FileFacts(FileType.File, size, 0x1a4, 0, 0), size, null);

    /// <summary>The sample's third layer: dup rewritten, /lib made opaque with c added, /opt/tool chmodded, /var/cache removed.</summary>
    private static readonly LayerChange[] Third =
    [
        Change("/data/dup", ChangeKind.Modified, 300), Change("/lib/a", ChangeKind.Removed, 10), Change("/lib/b", ChangeKind.Removed, 20),
        Change("/lib/c", ChangeKind.Added, 5), Change("/opt/tool", ChangeKind.Modified, 50), Change("/var/cache", ChangeKind.Removed, 500, directory: true),
    ];

    private static string Describe(ChangeRow r) => $"{r.Path} {r.Depth} {r.Change?.Kind.ToString() ?? "-"} {r.Bytes} {r.HiddenChanges}";

    [Fact]
    public void FullTree_ShowsParentsAsContext_WithTheBytesBelowThem()
    {
        Assert.Equal(
            [
                "/data 1 - 300 0", "/data/dup 2 Modified 300 0", "/lib 1 - 35 0", "/lib/a 2 Removed 10 0", "/lib/b 2 Removed 20 0",
                "/lib/c 2 Added 5 0", "/opt 1 - 50 0", "/opt/tool 2 Modified 50 0", "/var 1 - 500 0", "/var/cache 2 Removed 500 0",
            ],
            ChangeTree.Rows(Third).Select(Describe).ToArray());
    }

    [Fact]
    public void Depth_FoldsDeeperChangesIntoTheirAncestor()
    {
        Assert.Equal(
            ["/data 1 - 300 1", "/lib 1 - 35 3", "/opt 1 - 50 1", "/var 1 - 500 1"],
            ChangeTree.Rows(Third, depth: 1).Select(Describe).ToArray());
    }

    [Fact]
    public void OnlyChanges_HidesUnchangedEntries_ButKeepsTheWayToAChange()
    {
        LayerChange[] changes =
        [
            Change("/a", ChangeKind.Unchanged, 0, directory: true), Change("/b", ChangeKind.Unchanged, 0, directory: true),
            Change("/b/x", ChangeKind.Added, 7),
        ];

        Assert.Equal(["/a 1 Unchanged 0 0", "/b 1 Unchanged 7 0", "/b/x 2 Added 7 0"], ChangeTree.Rows(changes).Select(Describe).ToArray());
        Assert.Equal(["/b 1 Unchanged 7 0", "/b/x 2 Added 7 0"], ChangeTree.Rows(changes, onlyChanges: true).Select(Describe).ToArray());
    }

    [Fact]
    public void DepthBelowOne_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChangeTree.Rows(Third, depth: 0));
    }
}
