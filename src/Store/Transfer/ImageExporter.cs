using Images.Archive;

namespace Images.Store.Transfer;

/// <summary><c>save</c> (images to an archive another tool or store can load) and <c>export</c> (an image's flattened root filesystem).</summary>
public static class ImageExporter
{
    private const int EndOfArchiveSize = 1024; // two zero blocks

    /// <summary>
    /// Writes the images <paramref name="references"/> name to <paramref name="path"/>: a tar when it ends in
    /// <c>.tar</c>, else a new (or empty) directory. Written under a temporary name and renamed when complete,
    /// so <paramref name="path"/> holds either the old content or a whole archive.
    /// </summary>
    public static void Save(LocalStore store, IReadOnlyList<string> references, string path, SaveFormat format)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (references.Count == 0) throw new ArgumentException("name at least one image to save", nameof(references));
        if (!Enum.IsDefined(format)) throw new ArgumentOutOfRangeException(nameof(format), format, "unknown save format");

        // Keeps GC from removing the blobs being copied should someone remove the images meanwhile.
        using var lease = store.EnterWrite();
        var images = SavedImage.Resolve(store.Images, references);
        using var sink = ArchiveSinks.Create(path);
        if (format == SaveFormat.Oci) OciLayoutWriter.Write(store, images, sink);
        else DockerArchiveWriter.Write(store, images, sink);
        sink.Commit();
    }

    /// <summary>
    /// Writes the root filesystem of the image <paramref name="reference"/> names, all layers applied, as one tar
    /// (what <c>docker export</c> gives for a container of it).
    /// </summary>
    public static void ExportRootfs(LocalStore store, string reference, Stream output)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        ArgumentNullException.ThrowIfNull(output);

        using var lease = store.EnterWrite();
        var image = store.Images.Resolve(reference);
        if (image.TopLayer is not { } top)
        {
            output.Write(new byte[EndOfArchiveSize]); // an image without layers: an empty tar (TarWriter writes nothing for no entries)
            return;
        }
        string holder = $"export-{Environment.ProcessId}-{Guid.NewGuid():N}";
        string root = store.Layers.Mount(top, holder);
        try
        {
            LayerWriter.WriteTree(output, root);
        }
        finally
        {
            store.Layers.Unmount(top, holder);
        }
    }
}
