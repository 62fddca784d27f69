using System.Net;
using Images.Core.Digests;

namespace Images.Registry.Client;

/// <summary>
/// A registry refused or failed a request. The message names the registry, the repository, the digest or tag, and
/// the server's error code and message (from the spec's JSON error body) when it sent one.
/// </summary>
public sealed class RegistryClientException : Exception
{
    public RegistryClientException(string message, Exception? inner = null) : base(message, inner) { }

    public RegistryClientException(string message, HttpStatusCode? status, string? errorCode, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status of the failed response, when there was one.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>The first error code of the server's body (e.g. <c>BLOB_UNKNOWN</c>), when it sent one.</summary>
    public string? ErrorCode { get; }

    public Digest? Digest { get; init; }
}
