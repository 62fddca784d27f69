using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Images.Core.Digests;
using Images.Core.Oci;

namespace Images.Cli.Tests;

/// <summary>
/// Writes OCI image layouts for tests: layers of pseudo-random files, gzip-compressed, with a config whose
/// diff_ids are right and an index naming the image. Deterministic for a given seed.
/// </summary>
public static class TestImages
{
    public static void WriteLayout(string directory, string name, string tag, int layers, int filesPerLayer, int fileSize, int seed = 1)
    {
        var blobs = Path.Combine(directory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        File.WriteAllText(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        var random = new Random(seed);
        var layerDescriptors = new JsonArray();
        var diffIds = new JsonArray();
        for (int l = 0; l < layers; l++)
        {
            string temp = Path.Combine(directory, $"layer-{l}.tmp");
            Digest diffId;
            using (var file = File.Create(temp))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            using (var hashing = new HashingStream(gzip))
            {
                using (var tar = new TarWriter(hashing, TarEntryFormat.Pax, leaveOpen: true))
                {
                    var dir = new PaxTarEntry(TarEntryType.Directory, $"layer{l}/") { Mode = (UnixFileMode)0x1ed };
                    tar.WriteEntry(dir);
                    var content = new byte[fileSize];
                    for (int f = 0; f < filesPerLayer; f++)
                    {
                        random.NextBytes(content);
                        var entry = new PaxTarEntry(TarEntryType.RegularFile, $"layer{l}/file{f}")
                        {
                            Mode = (UnixFileMode)0x1a4,
                            DataStream = new MemoryStream(content),
                        };
                        tar.WriteEntry(entry);
                    }
                }
                diffId = hashing.GetDigest();
            }
            long size = new FileInfo(temp).Length;
            Digest blob;
            using (var s = File.OpenRead(temp)) blob = Digest.Compute(s);
            File.Move(temp, Path.Combine(blobs, blob.Encoded), overwrite: true);
            layerDescriptors.Add(new JsonObject { ["mediaType"] = MediaTypes.OciLayerGzip, ["digest"] = blob.ToString(), ["size"] = size });
            diffIds.Add(diffId.ToString());
        }
        var config = new JsonObject
        {
            ["created"] = "2026-01-01T00:00:00Z",
            ["architecture"] = Core.Oci.Platform.Current.Architecture,
            ["os"] = "linux",
            ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/usr/bin:/bin"), ["Cmd"] = new JsonArray("/bin/sh") },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
        };
        var configDescriptor = WriteBlob(blobs, MediaTypes.OciConfig, Encoding.UTF8.GetBytes(config.ToJsonString()));
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = configDescriptor,
            ["layers"] = layerDescriptors,
        };
        var manifestDescriptor = WriteBlob(blobs, MediaTypes.OciManifest, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        manifestDescriptor["annotations"] = new JsonObject
        {
            [Annotations.RefName] = tag,
            [Annotations.ContainerdImageName] = $"{name}:{tag}",
        };
        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = new JsonArray(manifestDescriptor) };
        File.WriteAllText(Path.Combine(directory, "index.json"), index.ToJsonString());
    }

    private static JsonObject WriteBlob(string blobs, string mediaType, byte[] bytes)
    {
        var digest = Digest.Compute(bytes);
        File.WriteAllBytes(Path.Combine(blobs, digest.Encoded), bytes);
        return new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest.ToString(), ["size"] = bytes.Length };
    }
}
