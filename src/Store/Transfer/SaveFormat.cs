namespace Images.Store.Transfer;

/// <summary>The layout <see cref="ImageExporter.Save"/> writes.</summary>
public enum SaveFormat
{
    /// <summary>An OCI image layout: <c>oci-layout</c>, <c>index.json</c>, <c>blobs/sha256/…</c>; blobs byte for byte as stored.</summary>
    Oci,

    /// <summary>A docker-archive as <c>docker save</c> writes it: <c>manifest.json</c>, configs, uncompressed layer tars.</summary>
    Docker,
}
