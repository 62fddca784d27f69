using Images.Core.Oci;

namespace Images.Store.Layers;

/// <summary>How <see cref="ILayerStore.Commit"/> turns a rw layer into a layer.</summary>
public sealed record CommitOptions
{
    /// <summary>Compression of the blob written into the content store.</summary>
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>Entry mtimes later than this are written as this (SOURCE_DATE_EPOCH), for reproducible layers.</summary>
    public DateTimeOffset? ClampMtime { get; init; }
}
