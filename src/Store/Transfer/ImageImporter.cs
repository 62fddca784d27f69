using Images.Core.Digests;
using Images.Core.Oci;
using Images.Store.Catalog;

namespace Images.Store.Transfer;

/// <summary>
/// <c>load -i PATH</c>: registers the images of an OCI image layout (a directory or a tar of one), or of a
/// docker-archive as <c>docker save</c> writes it (a newer one that is also an OCI layout is read as the layout).
/// The whole archive is checked (every blob stored and verified against its digest, every manifest and config
/// parsed and consistent) before any layer or image is registered, and layers registered before a failure are
/// released, so a corrupt archive leaves the image and layer lists as they were; blobs it stored are garbage the
/// next prune removes.
/// </summary>
public static class ImageImporter
{
    public static IReadOnlyList<LoadedImage> Load(LocalStore store, string path)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Blobs stored now are referenced by nothing until the images are added: the lease keeps GC away meanwhile.
        using var lease = store.EnterWrite();
        var source = Open(store, path);
        var images = Plan(source, store);
        return Register(store, source.Name, images);
    }

    /// <summary>
    /// Makes a local image of a manifest whose blobs are all in the content store already (pushed to the registry,
    /// shipped by a deploy): registers its layers from their blobs, then adds the image. <paramref name="source"/>
    /// names where the blobs came from, for errors.
    /// </summary>
    public static Image AddFromContent(LocalStore store, Digest manifestDigest, string source)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(source);
        using var lease = store.EnterWrite();
        var manifest = ReadDocument<ImageManifest>(store, manifestDigest, source, "manifest");
        var config = ReadDocument<ImageConfig>(store, manifest.Config.Digest, source, "config");
        var planned = PlannedImage.Create(source, manifestDigest, manifest, config);
        var registered = new List<Digest>();
        try
        {
            RegisterLayers(store, source, planned, registered);
            return store.Images.Add(manifestDigest);
        }
        catch
        {
            Release(store, registered);
            throw;
        }
    }

    private static T ReadDocument<T>(LocalStore store, Digest digest, string source, string what)
    {
        if (!store.Content.Exists(digest))
            throw new TransferException($"{source}: the {what} {digest} is not in the store; send it first.");
        return OciJson.Parse<T>(store.Content.ReadAllBytes(digest), $"{what} {digest}");
    }

    private static IArchiveSource Open(LocalStore store, string path)
    {
        if (Directory.Exists(path)) return new DirectoryArchiveSource(path, store.Content);
        if (File.Exists(path)) return TarArchiveSource.Read(path, store.Content);
        throw new TransferException($"{path}: no such file or directory; give the path of an image archive (a tar) or of an OCI image layout directory.");
    }

    private static IReadOnlyList<PlannedImage> Plan(IArchiveSource source, LocalStore store)
    {
        IReadOnlyList<PlannedImage> images;
        if (source.ReadDocument(ArchivePaths.Index) is { } index)
            images = OciLayoutPlanner.Plan(source, store.Content, index);
        else if (source.ReadDocument(ArchivePaths.DockerManifest) is { } manifest)
            images = DockerArchivePlanner.Plan(source, store.Content, manifest);
        else
            throw new TransferException(
                $"{source.Name}: neither an OCI image layout (no index.json) nor a docker-archive (no manifest.json); " +
                "give an archive made by images save, docker save, skopeo copy or umoci.");
        if (images.Count == 0)
            throw new TransferException($"{source.Name}: the archive holds no image.");
        return images;
    }

    /// <summary>
    /// Registers the layers of every image first, then adds the images and their names: a layer that fails (its tar
    /// does not give the diffID the config lists) releases the layers this load registered, so the image and layer
    /// lists are as they were.
    /// </summary>
    private static IReadOnlyList<LoadedImage> Register(LocalStore store, string archive, IReadOnlyList<PlannedImage> images)
    {
        var registered = new List<Digest>();
        try
        {
            foreach (var image in images) RegisterLayers(store, archive, image, registered);
        }
        catch
        {
            Release(store, registered);
            throw;
        }
        var loaded = new List<LoadedImage>(images.Count);
        foreach (var planned in images)
        {
            Image image = store.Images.Add(planned.ManifestDigest);
            foreach (var name in planned.Names) store.Images.Tag(image.Id, name);
            loaded.Add(new LoadedImage(store.Images.Get(image.Id) ?? image, planned.Names));
        }
        return loaded;
    }

    private static void RegisterLayers(LocalStore store, string archive, PlannedImage planned, List<Digest> registered)
    {
        var layers = planned.Manifest.Layers;
        var diffIds = planned.Config.RootFs.DiffIds;
        Digest? parent = null;
        for (int i = 0; i < layers.Count; i++)
        {
            bool known = store.Layers.Get(ChainId.Of(parent, diffIds[i])) is not null;
            try
            {
                parent = store.Layers.Register(layers[i], parent, diffIds[i]).ChainId;
            }
            catch (Exception e) when (e is not TransferException and not OperationCanceledException)
            {
                throw new TransferException(
                    $"{archive}: layer {i + 1} of {layers.Count} ({layers[i].Digest}) of image {planned.Manifest.Config.Digest} cannot be registered: " +
                    $"{e.Message}. Nothing was loaded; make the archive again.", e);
            }
            if (!known) registered.Add(parent.Value);
        }
    }

    /// <summary>Best effort: what cannot be released now is unused and goes with the next prune.</summary>
    private static void Release(LocalStore store, List<Digest> registered)
    {
        for (int i = registered.Count - 1; i >= 0; i--)
        {
            try
            {
                if (store.Layers.Get(registered[i]) is not null) store.Layers.Release(registered[i]);
            }
            catch (Exception)
            {
                // The original failure is what the user needs to see; an unused layer left here goes with the next prune.
            }
        }
    }
}
