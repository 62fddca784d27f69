using System.Net;

namespace Images.Registry.Distribution;

/// <summary>
/// An error code of the OCI distribution spec (and the few distribution adds) with the one HTTP status the
/// server answers it with. This table is the only place that pairs codes with statuses.
/// </summary>
public sealed record ErrorCode(string Code, HttpStatusCode Status, string Message)
{
    public static readonly ErrorCode BlobUnknown = new("BLOB_UNKNOWN", HttpStatusCode.NotFound, "blob unknown to registry");
    public static readonly ErrorCode BlobUploadInvalid = new("BLOB_UPLOAD_INVALID", HttpStatusCode.BadRequest, "blob upload invalid");
    /// <summary>A chunk that does not continue the upload where it stands (out of order or repeated): 416, as the spec asks.</summary>
    public static readonly ErrorCode BlobUploadRange = new("BLOB_UPLOAD_INVALID", HttpStatusCode.RequestedRangeNotSatisfiable, "chunk out of order");
    public static readonly ErrorCode BlobUploadUnknown = new("BLOB_UPLOAD_UNKNOWN", HttpStatusCode.NotFound, "blob upload unknown to registry");
    public static readonly ErrorCode DigestInvalid = new("DIGEST_INVALID", HttpStatusCode.BadRequest, "provided digest did not match uploaded content");
    public static readonly ErrorCode ManifestBlobUnknown = new("MANIFEST_BLOB_UNKNOWN", HttpStatusCode.BadRequest, "manifest references a manifest or blob unknown to registry");
    public static readonly ErrorCode ManifestInvalid = new("MANIFEST_INVALID", HttpStatusCode.BadRequest, "manifest invalid");
    public static readonly ErrorCode ManifestUnknown = new("MANIFEST_UNKNOWN", HttpStatusCode.NotFound, "manifest unknown to registry");
    public static readonly ErrorCode NameInvalid = new("NAME_INVALID", HttpStatusCode.BadRequest, "invalid repository name");
    public static readonly ErrorCode NameUnknown = new("NAME_UNKNOWN", HttpStatusCode.NotFound, "repository name not known to registry");
    public static readonly ErrorCode SizeInvalid = new("SIZE_INVALID", HttpStatusCode.BadRequest, "provided length did not match content length");
    public static readonly ErrorCode Unauthorized = new("UNAUTHORIZED", HttpStatusCode.Unauthorized, "authentication required");
    public static readonly ErrorCode Denied = new("DENIED", HttpStatusCode.Forbidden, "requested access to the resource is denied");
    public static readonly ErrorCode Unsupported = new("UNSUPPORTED", HttpStatusCode.MethodNotAllowed, "the operation is unsupported");
    public static readonly ErrorCode TooManyRequests = new("TOOMANYREQUESTS", HttpStatusCode.TooManyRequests, "too many requests");
    /// <summary>distribution's code for a manifest over the size limit (413); not in the OCI table, clients know it.</summary>
    public static readonly ErrorCode ManifestTooBig = new("MANIFEST_INVALID", HttpStatusCode.RequestEntityTooLarge, "manifest too big");
    /// <summary>A Range header the blob cannot satisfy (416).</summary>
    public static readonly ErrorCode RangeInvalid = new("RANGE_INVALID", HttpStatusCode.RequestedRangeNotSatisfiable, "requested range not satisfiable");
    public static readonly ErrorCode Unknown = new("UNKNOWN", HttpStatusCode.InternalServerError, "unknown error");

    /// <summary>Every code above, for lookups by name (a client reading an error body).</summary>
    public static IReadOnlyList<ErrorCode> All { get; } =
    [
        BlobUnknown, BlobUploadInvalid, BlobUploadUnknown, DigestInvalid, ManifestBlobUnknown, ManifestInvalid,
        ManifestUnknown, NameInvalid, NameUnknown, SizeInvalid, Unauthorized, Denied, Unsupported, TooManyRequests,
        RangeInvalid, Unknown,
    ];

    /// <summary>The code named <paramref name="code"/>, or null for a code this side does not know.</summary>
    public static ErrorCode? Find(string? code) => All.FirstOrDefault(c => c.Code == code);
}
