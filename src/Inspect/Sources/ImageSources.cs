using Images.Store;

namespace Images.Inspect.Sources;

/// <summary>
/// Opens an image named as skopeo names transports: <c>oci:PATH[:TAG]</c> (an OCI layout directory),
/// <c>docker-archive:PATH[:NAME:TAG]</c> (a docker-archive tar), anything else an image of the store.
/// A new kind of argument (a container, once there is a runtime) is one more prefix here.
/// </summary>
public static class ImageSources
{
    public const string OciPrefix = "oci:";
    public const string DockerArchivePrefix = "docker-archive:";

    /// <param name="spec">What the user typed.</param>
    /// <param name="store">Opens the store, only when <paramref name="spec"/> names a stored image.</param>
    public static IImageSource Open(string spec, Func<LocalStore> store)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        ArgumentNullException.ThrowIfNull(store);
        if (spec.StartsWith(OciPrefix, StringComparison.Ordinal))
        {
            var (path, tag) = Split(spec[OciPrefix.Length..], Directory.Exists);
            return new OciLayoutSource(path, tag);
        }
        if (spec.StartsWith(DockerArchivePrefix, StringComparison.Ordinal))
        {
            var (path, name) = Split(spec[DockerArchivePrefix.Length..], File.Exists);
            return new DockerArchiveSource(path, name);
        }
        return new StoreImageSource(store(), spec);
    }

    /// <summary>
    /// <c>PATH</c> or <c>PATH:REST</c>: the whole text when it names something that exists (a path may hold colons),
    /// else split at the first colon after which the path exists, else at the last colon.
    /// </summary>
    private static (string Path, string? Name) Split(string text, Func<string, bool> exists)
    {
        if (text.Length == 0) throw new InspectException("the transport names no path: give oci:PATH[:TAG] or docker-archive:PATH.");
        if (exists(text)) return (text, null);
        for (int colon = text.IndexOf(':'); colon > 0; colon = text.IndexOf(':', colon + 1))
        {
            if (exists(text[..colon])) return (text[..colon], NonEmpty(text[(colon + 1)..]));
        }
        return (text, null); // the source reports the missing path
    }

    private static string? NonEmpty(string text) => text.Length == 0 ? null : text;
}
