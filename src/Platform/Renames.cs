namespace Images.Platform;

/// <summary>rename(2) variants the BCL lacks.</summary>
public static class Renames
{
    /// <summary>
    /// Renames <paramref name="source"/> to <paramref name="destination"/> atomically, failing with EEXIST when the
    /// destination exists (renameat2 RENAME_NOREPLACE); a plain rename would silently replace an empty directory.
    /// </summary>
    public static void MoveNoReplace(string source, string destination) =>
        UnixException.ThrowIfFailed(
            LibC.renameat2(LibC.AT_FDCWD, source, LibC.AT_FDCWD, destination, LibC.RENAME_NOREPLACE),
            "renameat2", $"{source} -> {destination}");
}
