using Images.Core.Oci;
using Images.Core.References;

namespace Images.Store.Transfer;

/// <summary>
/// The names an archive gives its images. An OCI index entry is named by <c>io.containerd.image.name</c>
/// (what docker and containerd write and read); failing that by <c>org.opencontainers.image.ref.name</c> when it
/// is a full reference (<c>fixture:latest</c>, <c>example.com/app:1</c>, as <c>skopeo copy … oci:DIR:name:tag</c> writes);
/// a bare tag there (<c>latest</c>, as umoci and <c>oci:DIR:TAG</c> write) names no repository, so the image loads
/// without a name, as docker load does. A docker-archive names images by its RepoTags.
/// </summary>
internal static class ImageNames
{
    public static Reference? OfIndexEntry(Descriptor entry)
    {
        if (entry.Annotation(Annotations.ContainerdImageName) is { } full && Tagged(full) is { } named) return named;
        if (entry.Annotation(Annotations.RefName) is { } refName && IsFullReference(refName)) return Tagged(refName);
        return null;
    }

    public static Reference OfRepoTag(string repoTag, string archive)
    {
        if (Reference.TryParse(repoTag, out var reference) && reference.Tag is not null) return reference;
        throw new TransferException(
            $"{archive}: manifest.json names an image \"{repoTag}\", which is not a NAME:TAG reference; fix the archive's RepoTags or make it again.");
    }

    /// <summary>A bare tag has no '/' or ':' (tags are letters, digits, '_', '.', '-'); a reference with a repository has one of them.</summary>
    private static bool IsFullReference(string value) => value.Contains(':') || value.Contains('/');

    private static Reference? Tagged(string value) =>
        Reference.TryParse(value, out var reference) && reference.Tag is not null ? reference : null;
}
