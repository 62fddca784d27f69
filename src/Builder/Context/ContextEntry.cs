using Images.Platform;

namespace Images.Builder.Context;

/// <summary>A file, directory, symlink or special file of a build context that is sent to the build.</summary>
/// <param name="Path">Relative to the context root, slash-separated, cleaned (<c>src/main.c</c>).</param>
/// <param name="Status">Its <c>lstat</c>: symlinks are entries, never followed.</param>
/// <param name="LinkTarget">The symlink's target as stored, or null.</param>
public sealed record ContextEntry(string Path, FileStatus Status, string? LinkTarget);
