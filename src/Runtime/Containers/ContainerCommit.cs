using Images.Core.Digests;
using Images.Core.Oci;
using Images.Core.References;
using Images.Store;
using Images.Store.Catalog;
using Images.Store.Layers;

namespace Images.Runtime.Containers;

/// <summary>
/// `images commit`: the container's rw layer becomes a layer on its image (the layer store's Commit adopts the
/// driver's directory rather than re-applying the diff) and a new image is written with it. The container then
/// continues on a fresh, empty rw layer on top of the committed one, so its view of the filesystem is unchanged.
/// </summary>
public static class ContainerCommit
{
    public static Image Commit(LocalStore store, ContainerManager containers, string idOrName, Reference? tag, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var container = containers.Get(idOrName);
        if (container.IsRunning)
            throw new ContainerStateException($"container {container.Name} is running: stop it before committing (its files may be changing)");
        var baseImage = store.Images.Get(Digest.Parse(container.Spec.ImageId))
                        ?? throw new ImageNotFoundException($"the image of container {container.Name} ({container.Spec.ImageId}) is gone");
        var (_, config) = store.Images.ReadConfig(baseImage);
        var (_, manifest) = store.Images.ReadManifest(baseImage);

        using var lease = store.EnterWrite();
        var layer = store.Layers.Commit(container.Id);
        store.Layers.CreateRw(container.Id, layer.ChainId);

        var created = DateTimeOffset.UtcNow;
        var image = config with
        {
            Created = created,
            RootFs = config.RootFs with { DiffIds = [.. config.RootFs.DiffIds, layer.DiffId] },
            History = [.. config.History ?? [], new HistoryEntry { Created = created, CreatedBy = "images commit " + container.Name, Comment = comment }],
        };
        var configInfo = store.Content.Write(new MemoryStream(OciJson.Serialize(image)));
        var newManifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configInfo.Digest, Size = configInfo.Size },
            Layers = [.. manifest.Layers, layer.Blobs[0]],
        };
        var manifestInfo = store.Content.Write(new MemoryStream(OciJson.Serialize(newManifest)));
        var result = store.Images.Add(manifestInfo.Digest);
        if (tag is not null) store.Images.Tag(result.Id, tag);
        return store.Images.Get(result.Id) ?? result;
    }
}
