using Images.Registry.Client.Auth;
using OciPlatform = Images.Core.Oci.Platform;

namespace Images.Registry.Client;

/// <summary>How a <see cref="RegistryClient"/> talks to registries.</summary>
public sealed record RegistryClientOptions
{
    /// <summary>
    /// Verify TLS certificates (default). When false, https is tried without verification and plain http is used
    /// when the registry does not speak TLS, as <c>--tls-verify=false</c> does in podman and skopeo.
    /// Loopback registries (localhost, 127.0.0.0/8, ::1) are always spoken to over plain http.
    /// </summary>
    public bool TlsVerify { get; init; } = true;

    /// <summary>Where user names and passwords come from; null means anonymous only.</summary>
    public ICredentialSource? Credentials { get; init; }

    /// <summary>Told about every blob's progress; null reports nothing.</summary>
    public ITransferProgress? Progress { get; init; }

    /// <summary>Blobs transferred at once.</summary>
    public int MaxConcurrentTransfers { get; init; } = 4;

    /// <summary>
    /// The largest PATCH of a chunked upload. A dropped connection costs at most this much resent data: the upload
    /// resumes where the registry says it stands.
    /// </summary>
    public long ChunkSize { get; init; } = 256L << 20;

    /// <summary>Blobs up to this size are sent in one PUT (no chunking: a retry resends them whole).</summary>
    public long MonolithicLimit { get; init; } = 1L << 20;

    /// <summary>How often a dropped connection is resumed before the transfer fails.</summary>
    public int MaxResumes { get; init; } = 5;

    /// <summary>The platform picked from an index on pull (default: this machine's).</summary>
    public OciPlatform? Platform { get; init; }

    internal void Validate()
    {
        if (MaxConcurrentTransfers < 1) throw new ArgumentOutOfRangeException(nameof(MaxConcurrentTransfers), "at least one transfer must be allowed");
        if (ChunkSize < 1) throw new ArgumentOutOfRangeException(nameof(ChunkSize), "the chunk size must be positive");
        if (MonolithicLimit < 0) throw new ArgumentOutOfRangeException(nameof(MonolithicLimit), "the monolithic limit cannot be negative");
        if (MaxResumes < 0) throw new ArgumentOutOfRangeException(nameof(MaxResumes), "the resume count cannot be negative");
    }
}
