using Images.Core.Oci;

namespace Images.Inspect.Sources;

/// <summary>
/// An image to inspect, wherever it is (the store, an OCI layout, a docker-archive): its config and its layers as
/// uncompressed tars, bottom first. Nothing is loaded or extracted.
/// </summary>
public interface IImageSource : IDisposable
{
    /// <summary>The image as the user named it, for messages.</summary>
    string Name { get; }

    ImageConfig Config { get; }

    int LayerCount { get; }

    /// <summary>Opens layer <paramref name="index"/> (0 is the base) as an uncompressed tar stream; the caller disposes it.</summary>
    Stream OpenLayer(int index);
}
