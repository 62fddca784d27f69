using System.Formats.Tar;
using System.IO.Compression;
using Images.Platform;

namespace Images.Builder.Tests.Engine;

/// <summary>COPY and ADD on the vfs driver: Docker's source/destination rules, flags, ignore rules and archives.</summary>
public sealed class CopyAddTests : IDisposable
{
    private readonly BuildBench _b = new();

    public void Dispose() => _b.Dispose();

    [Fact]
    public void FileAndDirectoryRules()
    {
        _b.Write("a.txt", "a\n");
        _b.Write("dir/x", "x\n");
        _b.Write("dir/sub/y", "y\n");
        var result = _b.Build("""
            FROM scratch
            COPY a.txt /into/
            COPY a.txt /renamed
            COPY dir /tree
            COPY dir/ /deep/er/
            WORKDIR /work
            COPY a.txt rel
            """);
        _b.InRootfs(result, root =>
        {
            Assert.Equal("a\n", File.ReadAllText(Path.Combine(root, "into/a.txt")));
            Assert.Equal("a\n", File.ReadAllText(Path.Combine(root, "renamed")));
            Assert.Equal("x\n", File.ReadAllText(Path.Combine(root, "tree/x")));
            Assert.Equal("y\n", File.ReadAllText(Path.Combine(root, "tree/sub/y")));
            Assert.False(Directory.Exists(Path.Combine(root, "tree/dir")));
            Assert.Equal("y\n", File.ReadAllText(Path.Combine(root, "deep/er/sub/y")));
            Assert.Equal("a\n", File.ReadAllText(Path.Combine(root, "work/rel")));
            var file = Files.Lstat(Path.Combine(root, "renamed"));
            Assert.Equal((0u, 0u, 0x1a4u), (file.Uid, file.Gid, file.Permissions));
            Assert.Equal(0x1edu, Files.Lstat(Path.Combine(root, "deep")).Permissions); // implied parents 0755
            return 0;
        });
    }

    [Fact]
    public void WildcardsAndSeveralSourcesNeedADirectoryDestination()
    {
        _b.Write("one.md", "1");
        _b.Write("two.md", "2");
        _b.Write("three.txt", "3");
        var result = _b.Build("FROM scratch\nCOPY *.md /docs/\nCOPY one.md three.txt /both/\n");
        _b.InRootfs(result, root =>
        {
            Assert.Equal(["one.md", "two.md"], Directory.GetFiles(Path.Combine(root, "docs")).Select(Path.GetFileName).Order());
            Assert.Equal(["one.md", "three.txt"], Directory.GetFiles(Path.Combine(root, "both")).Select(Path.GetFileName).Order());
            return 0;
        });
        var e = _b.BuildFails("FROM scratch\nCOPY *.md /docs\n");
        Assert.Contains("must be a directory and end with a '/'", e.Message);
        Assert.Contains("not found in the build context", _b.BuildFails("FROM scratch\nCOPY missing.txt /\n").Message);
        Assert.Contains("outside the build context", _b.BuildFails("FROM scratch\nCOPY ../escape /\n").Message);
    }

    [Fact]
    public void ChownResolvesNamesInTheImage_ChmodSetsModes()
    {
        _b.Write("passwd", "root:x:0:0::/root:/bin/sh\napp:x:1234:2345::/home/app:/bin/sh\n");
        _b.Write("group", "root:x:0:\napp:x:2345:\nstaff:x:50:\n");
        _b.Write("f", "f", mode: 0x1ff);
        var result = _b.Build("""
            FROM scratch
            COPY passwd group /etc/
            COPY --chown=app f /named
            COPY --chown=app:staff f /named-group
            COPY --chown=77:88 f /numeric
            COPY --chown=4242 f /numeric-no-entry
            COPY --chmod=0600 f /moded
            """);
        _b.InRootfs(result, root =>
        {
            (uint, uint) Owner(string p) { var s = Files.Lstat(Path.Combine(root, p)); return (s.Uid, s.Gid); }
            Assert.Equal((1234u, 2345u), Owner("named"));
            Assert.Equal((1234u, 50u), Owner("named-group"));
            Assert.Equal((77u, 88u), Owner("numeric"));
            Assert.Equal((4242u, 4242u), Owner("numeric-no-entry"));
            Assert.Equal(0x180u, Files.Lstat(Path.Combine(root, "moded")).Permissions);
            Assert.Equal(0x1ffu, Files.Lstat(Path.Combine(root, "named")).Permissions);
            return 0;
        });
        Assert.Contains("no user 'ghost'", _b.BuildFails("FROM scratch\nCOPY passwd /etc/passwd\nCOPY --chown=ghost f /x\n").Message);
    }

    [Fact]
    public void DockerIgnoreHidesFiles_ButTheRecipeIsStillSent()
    {
        _b.Write(".dockerignore", "*.log\nsecret/\n!secret/public\nDockerfile\n");
        _b.Write("keep.txt", "k");
        _b.Write("debug.log", "l");
        _b.Write("secret/key", "s");
        _b.Write("secret/public", "p");
        _b.Write("Dockerfile", "FROM scratch\n");
        var result = _b.Build("FROM scratch\nCOPY . /ctx/\n");
        var names = _b.InRootfs(result, root =>
            Directory.EnumerateFileSystemEntries(Path.Combine(root, "ctx"), "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(Path.Combine(root, "ctx"), p)).Order(StringComparer.Ordinal).ToList());
        Assert.Equal([".dockerignore", "Dockerfile", "keep.txt", "secret", "secret/public"], names);
        Assert.Contains("not found in the build context", _b.BuildFails("FROM scratch\nCOPY debug.log /\n").Message);
    }

    [Fact]
    public void HeredocSources()
    {
        var result = _b.Build("FROM scratch\nCOPY --chmod=0755 <<one <<two /dest/\nfirst\none\nsecond\ntwo\n");
        Assert.Equal("first\n", _b.ReadFile(result, "dest/one"));
        Assert.Equal("second\n", _b.ReadFile(result, "dest/two"));
        Assert.Equal(0x1edu, _b.InRootfs(result, r => Files.Lstat(Path.Combine(r, "dest/one")).Permissions));
    }

    [Theory]
    [InlineData("")]
    [InlineData("gzip")]
    [InlineData("bzip2")]
    [InlineData("xz")]
    [InlineData("zstd")]
    public void AddExtractsLocalArchives(string compressor)
    {
        _b.WriteArchives(compressor.Length > 0 ? [compressor] : []);
        string name = compressor.Length > 0 ? compressor + ".tar" + BuildBench.ArchiveSuffix(compressor) : "plain.tar";
        var result = _b.Build($"FROM scratch\nADD {name} /opt/\nCOPY {name} /copied/\n");
        _b.InRootfs(result, root =>
        {
            Assert.Equal("inside\n", File.ReadAllText(Path.Combine(root, "opt/pkg/file")));
            var status = Files.Lstat(Path.Combine(root, "opt/pkg/file"));
            Assert.Equal((7u, 8u), (status.Uid, status.Gid)); // an archive's owners are kept
            Assert.Equal("file", new FileInfo(Path.Combine(root, "opt/pkg/link")).LinkTarget);
            Assert.True(File.Exists(Path.Combine(root, "copied", name))); // COPY never extracts
            return 0;
        });
    }

    [Fact]
    public void AddOfANonArchiveCopiesIt_AndAHostileArchiveStaysInTheDestination()
    {
        _b.Write("fake.tar.gz", "not really gzip");
        string evil = Path.Combine(_b.Context, "evil.tar");
        using (var stream = File.Create(evil))
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = "/" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "link/through") { DataStream = new MemoryStream("y"u8.ToArray()) });
        }
        var result = _b.Build("FROM scratch\nADD fake.tar.gz /files/\nADD evil.tar /jail/\n");
        _b.InRootfs(result, root =>
        {
            Assert.Equal("not really gzip", File.ReadAllText(Path.Combine(root, "files/fake.tar.gz")));
            Assert.False(File.Exists(Path.Combine(root, "escaped")));
            Assert.False(File.Exists(Path.Combine(root, "through")));
            Assert.Equal(["jail"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).Where(n => n != "files"));
            return 0;
        });

        // An entry naming a path above the archive's root is refused with a message naming the archive.
        using (var stream = File.Create(evil))
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "../../escaped") { DataStream = new MemoryStream("x"u8.ToArray()) });
        var e = _b.BuildFails("FROM scratch\nADD evil.tar /jail/\n");
        Assert.Contains("ADD evil.tar", e.Message);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_b.StoreRoot)!, "escaped")));
        Assert.False(File.Exists(Path.Combine(_b.StoreRoot, "escaped")));
    }

    [Fact]
    public void AddOfAUrlFailsClearly()
    {
        var e = _b.BuildFails("FROM scratch\nADD https://example.com/x.tar.gz /opt/\n");
        Assert.Contains("downloading URLs is not supported", e.Message);
        Assert.Contains("build context", e.Message);
    }
}
