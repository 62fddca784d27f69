using Images.Archive;
using Images.Core.Oci;
using Images.Core.References;
using Images.Store;
using Images.Store.Catalog;

namespace Images.Runtime.Tests.Support;

/// <summary>
/// Puts a one-layer busybox image (see <see cref="BusyboxTree"/>) into a store through the store's own API: the
/// tree is written as a layer tar, registered, and a config and manifest are added to the content store and tagged.
/// Reusable by other test projects (link it with BusyboxTree).
/// </summary>
public static class BusyboxImage
{
    public static Image Add(LocalStore store, string tag = "busybox:test", ContainerConfig? config = null)
    {
        string scratch = Directory.CreateTempSubdirectory("images-busybox-").FullName;
        try
        {
            string root = Path.Combine(scratch, "root");
            Directory.CreateDirectory(root);
            BusyboxTree.Write(root);
            string tar = Path.Combine(scratch, "layer.tar");
            // Times in the past: a tar keeps whole seconds, and a change made within the same second as the image was
            // written would compare equal (Docker's rule for times without nanoseconds), making diffs flaky.
            using (var output = File.Create(tar))
                LayerWriter.WriteTree(output, root, new WriteOptions { ClampMtime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero) });
            Images.Store.Layers.Layer layer;
            using (var input = File.OpenRead(tar)) layer = store.Layers.Create(input, null);

            var platform = Images.Core.Oci.Platform.Current;
            var imageConfig = new ImageConfig
            {
                Created = DateTimeOffset.UnixEpoch,
                Architecture = platform.Architecture,
                Os = platform.Os,
                Config = config ?? new ContainerConfig { Cmd = ["sh"] },
                RootFs = new RootFs { DiffIds = [layer.DiffId] },
                History = [new HistoryEntry { Created = DateTimeOffset.UnixEpoch, CreatedBy = "busybox test image" }],
            };
            var configInfo = store.Content.Write(new MemoryStream(OciJson.Serialize(imageConfig)));
            var manifest = new ImageManifest
            {
                MediaType = MediaTypes.OciManifest,
                Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configInfo.Digest, Size = configInfo.Size },
                Layers = [layer.Blobs[0]],
            };
            var manifestInfo = store.Content.Write(new MemoryStream(OciJson.Serialize(manifest)));
            var image = store.Images.Add(manifestInfo.Digest);
            store.Images.Tag(image.Id, Reference.Parse(tag));
            return image;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
