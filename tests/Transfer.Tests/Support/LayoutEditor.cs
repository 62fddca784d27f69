using Images.Core.Digests;
using Images.Core.Oci;
using OciPlatform = Images.Core.Oci.Platform;

namespace Images.Transfer.Tests.Support;

/// <summary>Changes a copy of an OCI layout the way a producer could have written it: new blobs, a new index.json.</summary>
public static class LayoutEditor
{
    public static Descriptor AddBlob(string layout, byte[] bytes, string mediaType, OciPlatform? platform = null)
    {
        var digest = Digest.Compute(bytes);
        string path = UmociFixture.BlobPath(layout, digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return new Descriptor { MediaType = mediaType, Digest = digest, Size = bytes.Length, Platform = platform };
    }

    public static void WriteIndex(string layout, params Descriptor[] entries) =>
        File.WriteAllBytes(Path.Combine(layout, "index.json"),
            OciJson.Serialize(new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = entries }));

    public static Dictionary<string, string> Names(params (string Key, string Value)[] annotations) =>
        annotations.ToDictionary(a => a.Key, a => a.Value);
}
