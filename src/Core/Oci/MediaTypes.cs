namespace Images.Core.Oci;

/// <summary>Media types of OCI image-spec 1.1 and Docker image manifest v2 schema 2.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string OciLayerNondistributable = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public const string OciLayerNondistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public const string OciLayerNondistributableZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";
    public const string OciLayout = "application/vnd.oci.layout.header.v1+json";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
    public const string DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsConfig(string? mediaType) => mediaType is OciConfig or DockerConfig;

    public static bool IsLayer(string? mediaType) => LayerCompressionOf(mediaType) is not null;

    /// <summary>The compression a layer media type declares, or null when it is not a layer type.</summary>
    public static LayerCompression? LayerCompressionOf(string? mediaType) => mediaType switch
    {
        OciLayer or OciLayerNondistributable or DockerLayer => LayerCompression.None,
        OciLayerGzip or OciLayerNondistributableGzip or DockerLayerGzip or DockerForeignLayerGzip => LayerCompression.Gzip,
        OciLayerZstd or OciLayerNondistributableZstd => LayerCompression.Zstd,
        _ => null,
    };

    /// <summary>The OCI layer media type for a compression.</summary>
    public static string OciLayerFor(LayerCompression compression) => compression switch
    {
        LayerCompression.None => OciLayer,
        LayerCompression.Gzip => OciLayerGzip,
        LayerCompression.Zstd => OciLayerZstd,
        _ => throw new ArgumentOutOfRangeException(nameof(compression)),
    };
}

public enum LayerCompression
{
    None,
    Gzip,
    Zstd,
}
