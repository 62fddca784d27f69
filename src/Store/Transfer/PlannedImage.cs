using Images.Core.Digests;
using Images.Core.Oci;
using Images.Core.References;

namespace Images.Store.Transfer;

/// <summary>
/// An image of an archive whose manifest, config and layer blobs are all in the content store and consistent:
/// what a load registers once every image of the archive has been checked.
/// </summary>
internal sealed class PlannedImage
{
    private PlannedImage(Digest manifestDigest, ImageManifest manifest, ImageConfig config)
    {
        ManifestDigest = manifestDigest;
        Manifest = manifest;
        Config = config;
    }

    public Digest ManifestDigest { get; }
    public ImageManifest Manifest { get; }
    public ImageConfig Config { get; }
    public List<Reference> Names { get; } = [];

    public void AddName(Reference? name)
    {
        if (name is not null && !Names.Contains(name)) Names.Add(name);
    }

    /// <summary>Checks that <paramref name="manifest"/> describes a container image whose config lists one diffID per layer.</summary>
    public static PlannedImage Create(string archive, Digest manifestDigest, ImageManifest manifest, ImageConfig config)
    {
        if (!MediaTypes.IsConfig(manifest.Config.MediaType))
            throw new TransferException(
                $"{archive}: manifest {manifestDigest} is not a container image (its config is {manifest.Config.MediaType}); only images can be loaded.");
        for (int i = 0; i < manifest.Layers.Count; i++)
        {
            if (!MediaTypes.IsLayer(manifest.Layers[i].MediaType))
                throw new TransferException(
                    $"{archive}: layer {i + 1} of manifest {manifestDigest} has media type {manifest.Layers[i].MediaType}, which is not a layer tar; only images can be loaded.");
        }
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
            throw new TransferException(
                $"{archive}: manifest {manifestDigest} has {manifest.Layers.Count} layers but its config {manifest.Config.Digest} lists " +
                $"{config.RootFs.DiffIds.Count} diff_ids: the image is inconsistent; make the archive again.");
        return new PlannedImage(manifestDigest, manifest, config);
    }
}
