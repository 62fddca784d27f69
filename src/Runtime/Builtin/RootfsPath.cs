using Images.Platform;

namespace Images.Runtime.Builtin;

/// <summary>
/// A path inside a container's rootfs resolved from the host, as the container would see it: symlinks are
/// followed with the rootfs as "/" and ".." stops there, so a mount target never lands outside the rootfs however
/// the image's symlinks point. Used only before the container starts (nothing else changes the tree meanwhile).
/// </summary>
internal static class RootfsPath
{
    public enum Create { None, Directory, File }

    private const int MaxSymlinks = 40;

    /// <summary>The host path of <paramref name="path"/> in <paramref name="rootfs"/>; null when missing and not created.</summary>
    public static string? Resolve(string rootfs, string path, Create create)
    {
        var done = new List<string>();
        var todo = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        int links = 0;
        while (todo.Count > 0)
        {
            string component = todo.Pop();
            if (component == ".") continue;
            if (component == "..") { if (done.Count > 0) done.RemoveAt(done.Count - 1); continue; }
            string full = Full(rootfs, [.. done, component]);
            bool last = todo.Count == 0;
            if (!Files.TryLstat(full, out var status))
            {
                if (create == Create.None) return null;
                if (last && create == Create.File) File.WriteAllBytes(full, []);
                else Directory.CreateDirectory(full);
                done.Add(component);
                continue;
            }
            if (Files.KindOf(status.Mode) == FileKind.Symlink)
            {
                if (++links > MaxSymlinks) throw new IOException($"{path} in {rootfs}: too many levels of symbolic links");
                string target = new FileInfo(full).LinkTarget ?? "";
                if (target.StartsWith('/')) done.Clear();
                foreach (var c in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) todo.Push(c);
                continue;
            }
            if (!last && Files.KindOf(status.Mode) != FileKind.Directory)
                throw new IOException($"{path} in {rootfs}: '{component}' is not a directory");
            done.Add(component);
        }
        return Full(rootfs, done);
    }

    private static string Full(string rootfs, IEnumerable<string> components) =>
        Path.Combine([rootfs, .. components]);
}
