using Images.Core.Digests;

namespace Images.Store.Distribution;

/// <summary>
/// Where blobs were last seen in registries: the repositories a blob was pushed to or pulled from. The registry
/// client asks it before pushing a blob, to mount it from another repository of the same registry instead of
/// sending it again (Docker keeps the same record as its "v2 metadata"). A hint only: a wrong entry costs one
/// failed mount, after which the client forgets it and uploads.
/// </summary>
public interface IBlobSources
{
    /// <summary>Remembers that <paramref name="repository"/> (a path, e.g. <c>library/busybox</c>) on <paramref name="registry"/> (host[:port]) holds the blob.</summary>
    void Record(Digest digest, string registry, string repository);

    /// <summary>Drops an entry that proved wrong (the mount was refused).</summary>
    void Forget(Digest digest, string registry, string repository);

    /// <summary>The repositories of <paramref name="registry"/> known to hold the blob, most recently seen first.</summary>
    IReadOnlyList<string> Repositories(Digest digest, string registry);
}
