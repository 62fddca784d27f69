using Images.Core.Digests;

namespace Images.Store.Transfer;

/// <summary>Names of files inside an image archive (a tar or a directory), in one normalized form.</summary>
internal static class ArchivePaths
{
    public const string OciLayout = "oci-layout";
    public const string Index = "index.json";
    public const string DockerManifest = "manifest.json";
    public const string Repositories = "repositories";

    /// <summary>The documents a load reads whole (they are small); every other file may be a blob.</summary>
    public static bool IsDocument(string path) => path is OciLayout or Index or DockerManifest or Repositories;

    /// <summary>Largest document read into memory; real ones are a few KiB.</summary>
    public const long MaxDocumentSize = 16 << 20;

    /// <summary>
    /// <c>a/b</c> for <c>./a/b</c>, <c>/a/b</c> or <c>a//b/</c>; null when the name leaves the archive (<c>..</c>) or is empty,
    /// so a hostile name can never address a file outside it.
    /// </summary>
    public static string? Normalize(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..") return null;
            parts.Add(part);
        }
        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    /// <summary>The path a symbolic link at <paramref name="linkPath"/> pointing at <paramref name="target"/> names, or null when it leaves the archive.</summary>
    public static string? ResolveLink(string linkPath, string target)
    {
        if (target.StartsWith('/')) return Normalize(target);
        int slash = linkPath.LastIndexOf('/');
        string directory = slash < 0 ? "" : linkPath[..slash];
        var parts = new List<string>(directory.Length == 0 ? [] : directory.Split('/'));
        foreach (var part in target.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0) return null;
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    /// <summary><c>blobs/sha256/&lt;hex&gt;</c>: where an OCI layout keeps a blob.</summary>
    public static string BlobPath(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Encoded}";

    /// <summary>The digest an OCI layout blob path names, or null when <paramref name="path"/> is not one.</summary>
    public static Digest? DigestOfBlobPath(string path)
    {
        var parts = path.Split('/');
        if (parts.Length != 3 || parts[0] != "blobs") return null;
        return Digest.TryParse($"{parts[1]}:{parts[2]}", out var digest) ? digest : null;
    }

    /// <summary>
    /// Files of the legacy v1 layout of old <c>docker save</c> (<c>&lt;id&gt;/json</c>, <c>&lt;id&gt;/VERSION</c>): never a blob
    /// that manifest.json names, so a load skips them rather than storing them.
    /// </summary>
    public static bool IsLegacyMetadata(string path) =>
        path.EndsWith("/json", StringComparison.Ordinal) || path.EndsWith("/VERSION", StringComparison.Ordinal);
}
