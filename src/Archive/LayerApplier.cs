namespace Images.Archive;

/// <summary>
/// Unpacks an uncompressed layer tar into a directory: every entry type a root filesystem holds, owners, all
/// permission bits, mtimes and xattrs, with whiteouts carried out or kept as <see cref="ApplyOptions.Whiteouts"/>
/// says. Hostile names cannot write outside the target: paths are cleaned, <c>..</c> may not climb above the
/// root, and symlinks met on the way are resolved inside the target like a chroot would. A layer's whiteouts
/// hide only lower content, whatever their position in the tar, so the result is always
/// "lower minus whiteouts plus this layer's entries".
/// </summary>
public static class LayerApplier
{
    /// <exception cref="ArchiveException">hostile, corrupt or truncated input, or a limit exceeded.</exception>
    public static ApplyResult Apply(Stream tar, string targetDirectory, ApplyOptions? options = null) =>
        Create(tar, targetDirectory, options).Run(CancellationToken.None);

    /// <summary>Apply on the thread pool; cancellation is checked between entries.</summary>
    public static Task<ApplyResult> ApplyAsync(Stream tar, string targetDirectory, ApplyOptions? options = null, CancellationToken ct = default)
    {
        var application = Create(tar, targetDirectory, options);
        return Task.Run(() => application.Run(ct), ct);
    }

    private static LayerApplication Create(Stream tar, string targetDirectory, ApplyOptions? options)
    {
        ArgumentNullException.ThrowIfNull(tar);
        options ??= new ApplyOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBytes, nameof(options.MaxBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxEntries, nameof(options.MaxEntries));
        return new LayerApplication(tar, TreeEntries.NormalizeRoot(targetDirectory, nameof(targetDirectory)), options);
    }
}
