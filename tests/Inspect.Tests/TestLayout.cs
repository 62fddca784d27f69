using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Images.Core.Digests;
using Images.Core.Oci;

namespace Images.Inspect.Tests;

/// <summary>
/// Writes an OCI image layout whose layers hold exactly the tar entries a test lists (files, directories, links,
/// whiteouts, opaque markers), gzip-compressed, with a config (diff_ids, one history entry per layer) and an index
/// entry tagged as asked.
/// </summary>
public sealed class TestLayout
{
    private readonly List<(string CreatedBy, IReadOnlyList<TarEntry> Entries)> _layers = [];

    public TestLayout Layer(string createdBy, params TarEntry[] entries)
    {
        _layers.Add((createdBy, entries));
        return this;
    }

    public static TarEntry Dir(string path, int mode = 0x1ed, int uid = 0, int gid = 0) =>
        new PaxTarEntry(TarEntryType.Directory, path.TrimStart('/') + "/") { Mode = (UnixFileMode)mode, Uid = uid, Gid = gid };

    /// <summary>A file of <paramref name="size"/> bytes, all <paramref name="fill"/> (so equal fills are equal content).</summary>
    public static TarEntry File(string path, int size, byte fill = (byte)'x', int mode = 0x1a4, int uid = 0, int gid = 0) =>
        new PaxTarEntry(TarEntryType.RegularFile, path.TrimStart('/'))
        {
            Mode = (UnixFileMode)mode, Uid = uid, Gid = gid,
            DataStream = new MemoryStream(Enumerable.Repeat(fill, size).ToArray()),
        };

    public static TarEntry Symlink(string path, string target) =>
        new PaxTarEntry(TarEntryType.SymbolicLink, path.TrimStart('/')) { LinkName = target, Mode = (UnixFileMode)0x1ff };

    public static TarEntry HardLink(string path, string target) =>
        new PaxTarEntry(TarEntryType.HardLink, path.TrimStart('/')) { LinkName = target.TrimStart('/'), Mode = (UnixFileMode)0x1a4 };

    /// <summary>Removes <paramref name="path"/> of lower layers.</summary>
    public static TarEntry Whiteout(string path)
    {
        string trimmed = path.TrimStart('/');
        int slash = trimmed.LastIndexOf('/');
        string name = slash < 0 ? ".wh." + trimmed : trimmed[..(slash + 1)] + ".wh." + trimmed[(slash + 1)..];
        return new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x180 };
    }

    /// <summary>Hides what lower layers have in <paramref name="directory"/>.</summary>
    public static TarEntry Opaque(string directory) =>
        new PaxTarEntry(TarEntryType.RegularFile, directory.TrimStart('/') + "/.wh..wh..opq") { Mode = (UnixFileMode)0x180 };

    public void Write(string directory, string tag = "latest")
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        System.IO.File.WriteAllText(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        var layers = new JsonArray();
        var diffIds = new JsonArray();
        var history = new JsonArray();
        foreach (var (createdBy, entries) in _layers)
        {
            var tar = new MemoryStream();
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var entry in entries)
                {
                    entry.DataStream?.Seek(0, SeekOrigin.Begin);
                    writer.WriteEntry(entry);
                }
            }
            diffIds.Add(Digest.Compute(tar.ToArray()).ToString());
            var gz = new MemoryStream();
            using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(tar.ToArray());
            layers.Add(WriteBlob(blobs, MediaTypes.OciLayerGzip, gz.ToArray()));
            history.Add(new JsonObject { ["created"] = "2026-01-01T00:00:00Z", ["created_by"] = createdBy });
        }
        history.Insert(0, new JsonObject { ["created"] = "2026-01-01T00:00:00Z", ["created_by"] = "ENV A=1", ["empty_layer"] = true });
        var config = new JsonObject
        {
            ["created"] = "2026-01-01T00:00:00Z",
            ["architecture"] = Images.Core.Oci.Platform.Current.Architecture,
            ["os"] = "linux",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
            ["history"] = history,
        };
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = WriteBlob(blobs, MediaTypes.OciConfig, Encoding.UTF8.GetBytes(config.ToJsonString())),
            ["layers"] = layers,
        };
        var descriptor = WriteBlob(blobs, MediaTypes.OciManifest, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        descriptor["annotations"] = new JsonObject { [Annotations.RefName] = tag, [Annotations.ContainerdImageName] = $"test/image:{tag}" };
        string indexPath = Path.Combine(directory, "index.json");
        var index = System.IO.File.Exists(indexPath)
            ? JsonNode.Parse(System.IO.File.ReadAllText(indexPath))!.AsObject()
            : new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = new JsonArray() };
        index["manifests"]!.AsArray().Add(descriptor);
        System.IO.File.WriteAllText(indexPath, index.ToJsonString());
    }

    private static JsonObject WriteBlob(string blobs, string mediaType, byte[] bytes)
    {
        var digest = Digest.Compute(bytes);
        System.IO.File.WriteAllBytes(Path.Combine(blobs, digest.Encoded), bytes);
        return new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest.ToString(), ["size"] = bytes.Length };
    }
}
