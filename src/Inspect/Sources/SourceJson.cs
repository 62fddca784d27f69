using Images.Core.Oci;

namespace Images.Inspect.Sources;

internal static class SourceJson
{
    /// <summary>Parses a document of image <paramref name="source"/>; a malformed one is an <see cref="InspectException"/> naming both.</summary>
    public static T Parse<T>(string source, byte[] bytes, string what)
    {
        try
        {
            return OciJson.Parse<T>(bytes, what);
        }
        catch (FormatException e)
        {
            throw new InspectException($"{source}: {e.Message}; the image is corrupt: make or pull it again.", e);
        }
    }
}
