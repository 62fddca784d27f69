using Images.Archive;
using Images.Drivers;

namespace Images.Store.Layers;

/// <summary>
/// The glue between a graph driver (directories) and the archive code (tars): applying a layer tar to a driver
/// layer and writing a driver layer's diff as a tar. Drivers know nothing of tar; this is the only place that
/// combines the two.
/// </summary>
public static class DriverDiffs
{
    /// <summary>
    /// Applies an uncompressed layer tar to layer <paramref name="id"/> (already created on its parent): into its
    /// diff directory in the driver's whiteout form, or onto its mounted root with whiteouts carried out.
    /// <paramref name="limits"/> gives the limits and owner handling; the whiteout form and lower directories come
    /// from the driver.
    /// </summary>
    public static ApplyResult Apply(IGraphDriver driver, string id, Stream tar, ApplyOptions? limits = null)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(tar);
        var target = driver.GetApplyTarget(id);
        var options = (limits ?? new ApplyOptions()) with
        {
            Whiteouts = target.Format,
            LowerDirectories = target.LowerDirectories,
        };
        if (target.Directory is not null) return LayerApplier.Apply(tar, target.Directory, options);
        return WithMounted(driver, id, root => LayerApplier.Apply(tar, root, options));
    }

    /// <summary>
    /// Writes the layer tar of <paramref name="id"/> against its parent: from the driver's native diff when it
    /// offers a trustworthy one, else by comparing the mounted trees of the layer and its parent.
    /// </summary>
    public static void WriteDiff(IGraphDriver driver, string id, Stream output, WriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(output);
        // A native diff only says what changed (its copied-up directories and whiteout devices are the driver's
        // form); the entries are written from the mounted layer like a compared diff, so every driver writes the
        // same tar for the same change.
        var native = NativeDiffOf(driver, id);
        WithMountedPair(driver, id, (parentRoot, root) =>
        {
            var changes = native is null
                ? Archive.Changes.Compute(parentRoot, root)
                : Archive.Changes.FromDiffDirectory(native.Directory, native.Format, parentRoot);
            LayerWriter.WriteChanges(output, root, changes, options);
            return 0;
        });
    }

    /// <summary>What layer <paramref name="id"/> changed against its parent, in <c>docker diff</c> form.</summary>
    public static IReadOnlyList<Change> Changes(IGraphDriver driver, string id)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (NativeDiffOf(driver, id) is { } native)
            return WithMountedParent(driver, id, parentRoot => Archive.Changes.FromDiffDirectory(native.Directory, native.Format, parentRoot));
        return WithMountedPair(driver, id, Archive.Changes.Compute);
    }

    private static NativeDiff? NativeDiffOf(IGraphDriver driver, string id) =>
        driver is INativeDiffDriver native ? native.GetNativeDiff(id) : null;

    private static T WithMounted<T>(IGraphDriver driver, string id, Func<string, T> action)
    {
        string root = driver.Mount(id);
        try
        {
            return action(root);
        }
        finally
        {
            driver.Unmount(id);
        }
    }

    private static T WithMountedParent<T>(IGraphDriver driver, string id, Func<string?, T> action) =>
        driver.ParentOf(id) is { } parent ? WithMounted(driver, parent, root => action(root)) : action(null);

    private static T WithMountedPair<T>(IGraphDriver driver, string id, Func<string?, string, T> action) =>
        WithMountedParent(driver, id, parentRoot => WithMounted(driver, id, root => action(parentRoot, root)));
}
