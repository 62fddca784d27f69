using System.Formats.Tar;
using System.Text.Json;
using Images.Core.Digests;

namespace Images.Cli.Tests;

/// <summary>The image commands end to end, through the built CLI, on the vfs driver.</summary>
public sealed class CommandTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"images-cli-{Guid.NewGuid():N}");
    private readonly CliRunner _cli;
    private readonly string _layout;

    public CommandTests()
    {
        Directory.CreateDirectory(_work);
        _cli = new CliRunner(Path.Combine(_work, "root"));
        _layout = Path.Combine(_work, "layout");
        TestImages.WriteLayout(_layout, "example.com/team/app", "1.0", layers: 3, filesPerLayer: 4, fileSize: 1000);
    }

    public void Dispose()
    {
        _cli.Run("umount", "example.com/team/app:1.0");
        Directory.Delete(_work, recursive: true);
    }

    private string Load() => _cli.Ok("load", "-i", _layout);

    [Fact]
    public void Load_PrintsTheNameAndLsListsIt()
    {
        Assert.Equal("Loaded image: example.com/team/app:1.0\n", Load());
        var ls = _cli.Ok("ls").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("REPOSITORY", ls[0]);
        Assert.Matches(@"^example\.com/team/app\s+1\.0\s+[0-9a-f]{12}\s+", ls[1]);

        var json = JsonDocument.Parse(_cli.Ok("ls", "--format", "json").Trim()).RootElement;
        Assert.Equal("example.com/team/app", json.GetProperty("Repository").GetString());
        Assert.Equal(3 * 4 * 1000, json.GetProperty("VirtualSize").GetInt64(), new Tolerance(8192));
    }

    [Fact]
    public void Inspect_IsShapedLikeDocker()
    {
        Load();
        var doc = JsonDocument.Parse(_cli.Ok("inspect", "example.com/team/app:1.0")).RootElement;
        Assert.Equal(JsonValueKind.Array, doc.ValueKind);
        var image = doc[0];
        var id = Digest.Parse(image.GetProperty("Id").GetString()!);
        Assert.Equal(["example.com/team/app:1.0"], image.GetProperty("RepoTags").EnumerateArray().Select(e => e.GetString()!));
        Assert.StartsWith("example.com/team/app@sha256:", image.GetProperty("RepoDigests")[0].GetString());
        Assert.Equal(["/bin/sh"], image.GetProperty("Config").GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("linux", image.GetProperty("Os").GetString());
        Assert.Equal(3, image.GetProperty("RootFS").GetProperty("Layers").GetArrayLength());
        Assert.True(image.GetProperty("Size").GetInt64() >= 3 * 4 * 1000);

        // The id resolves as a full id and as a prefix, and `inspect` of a missing image fails clearly.
        Assert.Contains(id.ToString(), _cli.Ok("inspect", id.Encoded[..8]));
        var missing = _cli.Run("inspect", "nope:1");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("nope", missing.Stderr);
    }

    [Fact]
    public void TagAndRmi_BehaveLikeDocker()
    {
        Load();
        _cli.Ok("tag", "example.com/team/app:1.0", "other:2");
        Assert.Contains("other", _cli.Ok("ls"));

        var removed = _cli.Ok("rmi", "other:2");
        Assert.Contains("Untagged: other:2", removed);
        Assert.DoesNotContain("Deleted", removed);

        var last = _cli.Ok("rmi", "example.com/team/app:1.0");
        Assert.Contains("Untagged: example.com/team/app:1.0", last);
        Assert.Contains("Deleted: sha256:", last);
        Assert.Single(_cli.Ok("ls").Split('\n', StringSplitOptions.RemoveEmptyEntries)); // header only

        var again = _cli.Run("rmi", "example.com/team/app:1.0");
        Assert.NotEqual(0, again.ExitCode);
    }

    [Fact]
    public void History_ListsOneLinePerLayerNewestFirst()
    {
        Load();
        var lines = _cli.Ok("history", "example.com/team/app:1.0").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("IMAGE", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"^[0-9a-f]{12}\s", lines[1]);
        Assert.StartsWith("<missing>", lines[2]);
    }

    [Fact]
    public void MountExportAndSave_ShowTheImageContent()
    {
        Load();
        string mounted = _cli.Ok("mount", "example.com/team/app:1.0").Trim();
        Assert.True(File.Exists(Path.Combine(mounted, "layer0", "file0")), $"{mounted} lacks layer0/file0");
        Assert.True(File.Exists(Path.Combine(mounted, "layer2", "file3")));
        _cli.Ok("umount", "example.com/team/app:1.0");
        Assert.NotEqual(0, _cli.Run("umount", "example.com/team/app:1.0").ExitCode);

        string rootfs = Path.Combine(_work, "rootfs.tar");
        _cli.Ok("export", "example.com/team/app:1.0", "-o", rootfs);
        var names = new List<string>();
        using (var reader = new TarReader(File.OpenRead(rootfs)))
            while (reader.GetNextEntry() is { } e) names.Add(e.Name.TrimEnd('/'));
        Assert.Contains("layer1/file2", names);
        Assert.Equal(3 + 3 * 4, names.Count(n => n.StartsWith("layer")));

        string saved = Path.Combine(_work, "saved");
        _cli.Ok("save", "example.com/team/app:1.0", "-o", saved);
        var original = JsonDocument.Parse(File.ReadAllText(Path.Combine(_layout, "index.json"))).RootElement.GetProperty("manifests")[0];
        var copy = JsonDocument.Parse(File.ReadAllText(Path.Combine(saved, "index.json"))).RootElement.GetProperty("manifests")[0];
        Assert.Equal(original.GetProperty("digest").GetString(), copy.GetProperty("digest").GetString());
        Assert.Equal("1.0", copy.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString());
    }

    [Fact]
    public void PruneAndCheck_ReportWhatTheyDo()
    {
        Load();
        Assert.Contains("store is consistent", _cli.Ok("check"));
        _cli.Ok("rmi", "example.com/team/app:1.0");
        var prune = _cli.Ok("prune");
        Assert.Contains("Deleted Blob: sha256:", prune);
        Assert.Contains("Total reclaimed space:", prune);
        Assert.Contains("store is consistent", _cli.Ok("check"));
    }

    [Fact]
    public void DriverLs_ListsEveryDriverWithAReason()
    {
        var lines = _cli.Ok("driver", "ls");
        Assert.Matches(@"(?m)^vfs\s+yes", lines);
        var status = _cli.Ok("--driver", "vfs", "driver", "status");
        Assert.Contains("Driver: vfs", status);
        var bad = _cli.Run("--driver", "nosuch", "ls");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("nosuch", bad.Stderr);
    }

    [Fact]
    public void UnknownCommand_AndMissingArguments_FailWithUsage()
    {
        Assert.NotEqual(0, _cli.Run("frobnicate").ExitCode);
        Assert.NotEqual(0, _cli.Run("tag", "only-one").ExitCode);
    }

    private sealed class Tolerance(long delta) : IEqualityComparer<long>
    {
        public bool Equals(long x, long y) => Math.Abs(x - y) <= delta;
        public int GetHashCode(long obj) => 0;
    }
}
