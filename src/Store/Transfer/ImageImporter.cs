using Images.Store.Catalog;

namespace Images.Store.Transfer;

/// <summary>
/// <c>load -i PATH</c>: registers the images of an OCI image layout (a directory or a tar of one), or of a
/// docker-archive as <c>docker save</c> writes it (a newer one that is also an OCI layout is read as the layout).
/// The whole archive is checked (every blob stored and verified against its digest, every manifest and config
/// parsed and consistent) before any layer or image is registered, so a corrupt archive leaves the image and
/// layer lists as they were; blobs it stored are garbage the next prune removes.
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
        return images.Select(image => Register(store, source.Name, image)).ToList();
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

    private static LoadedImage Register(LocalStore store, string archive, PlannedImage planned)
    {
        var layers = planned.Manifest.Layers;
        var diffIds = planned.Config.RootFs.DiffIds;
        Core.Digests.Digest? parent = null;
        for (int i = 0; i < layers.Count; i++)
        {
            try
            {
                parent = store.Layers.Register(layers[i], parent, diffIds[i]).ChainId;
            }
            catch (Exception e) when (e is not TransferException and not OperationCanceledException)
            {
                throw new TransferException(
                    $"{archive}: layer {i + 1} of {layers.Count} ({layers[i].Digest}) of image {planned.Manifest.Config.Digest} cannot be registered: " +
                    $"{e.Message}. The image was not loaded; layers registered below it are removed by the next prune.", e);
            }
        }
        Image image = store.Images.Add(planned.ManifestDigest);
        foreach (var name in planned.Names) store.Images.Tag(image.Id, name);
        return new LoadedImage(store.Images.Get(image.Id) ?? image, planned.Names);
    }
}
