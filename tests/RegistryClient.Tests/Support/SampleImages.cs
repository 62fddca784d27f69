using Images.Cli.Tests;
using Images.Core.Digests;
using Images.Drivers.Tests;
using Images.Store;
using Images.Store.Catalog;
using Images.Store.Transfer;
using Images.Transfer.Tests.Support;

namespace Images.Registry.Client.Tests.Support;

/// <summary>Small images of pseudo-random files, loaded into a test store.</summary>
public static class SampleImages
{
    public static Image Load(LocalStore store, int layers = 3, int files = 4, int fileSize = 64 << 10, int seed = 1)
    {
        using var scratch = new ScratchDirectory("sample-image-");
        TestImages.WriteLayout(scratch.Path, "sample", "1", layers, files, fileSize, seed);
        var loaded = ImageImporter.Load(store, scratch.Path);
        return loaded.Single().Image;
    }

    /// <summary>The root filesystem of an image (its top layer mounted through the driver), as a snapshot.</summary>
    public static TreeSnapshot Rootfs(LocalStore store, Image image)
    {
        var top = image.TopLayer ?? throw new InvalidOperationException("the image has no layers");
        string holder = $"test-{Guid.NewGuid():N}";
        string path = store.Layers.Mount(top, holder);
        try
        {
            return TreeSnapshot.Of(path);
        }
        finally
        {
            store.Layers.Unmount(top, holder);
        }
    }

    public static string Listing(StoreHandle handle) => handle.Listing();

    public static IReadOnlyList<Digest> BlobsOf(LocalStore store, Image image)
    {
        var (_, manifest) = store.Images.ReadManifest(image);
        return [manifest.Config.Digest, .. manifest.Layers.Select(l => l.Digest)];
    }
}
