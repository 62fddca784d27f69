namespace Images.Registry.Distribution;

/// <summary>Header names of the distribution protocol beyond HTTP's own.</summary>
public static class RegistryHeaders
{
    public const string ContentDigest = "Docker-Content-Digest";
    public const string UploadUuid = "Docker-Upload-UUID";
    public const string ApiVersion = "Docker-Distribution-API-Version";
    public const string ApiVersionValue = "registry/2.0";
    public const string OciSubject = "OCI-Subject";
    public const string OciFiltersApplied = "OCI-Filters-Applied";
    public const string OciChunkMinLength = "OCI-Chunk-Min-Length";
}
