using System.Net;

namespace Images.Registry.Server;

/// <summary>How <see cref="RegistryServer"/> listens, authenticates and collects garbage.</summary>
public sealed record RegistryServerOptions
{
    /// <summary>Where to listen; port 0 picks a free one (see <see cref="RegistryServer.Addresses"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 5000);

    /// <summary>An htpasswd file of bcrypt hashes (<c>user:$2y$...</c>): basic auth, and the token endpoint's logins.</summary>
    public string? HtpasswdFile { get; init; }

    /// <summary>The bearer-token realm URL clients are sent to; its path is served by this server when <see cref="ServeTokenEndpoint"/>.</summary>
    public string? TokenRealm { get; init; }

    /// <summary>The service name in challenges and tokens.</summary>
    public string TokenService { get; init; } = "images-registry";

    /// <summary>The HMAC key tokens are signed with; null = a random key for this process (tokens end with it).</summary>
    public byte[]? TokenKey { get; init; }

    public bool ServeTokenEndpoint { get; init; } = true;

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>PEM certificate and key: serve HTTPS.</summary>
    public string? TlsCertificate { get; init; }
    public string? TlsKey { get; init; }

    /// <summary>Refuse every write with UNSUPPORTED (405).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Serve without authentication on a non-loopback address (refused by default).</summary>
    public bool AllowAnonymousRemote { get; init; }

    /// <summary>The largest manifest accepted (distribution's and the spec's 4 MiB).</summary>
    public int MaxManifestBytes { get; init; } = 4 << 20;

    /// <summary>Upload sessions idle for longer expire.</summary>
    public TimeSpan UploadTimeout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How often the server collects garbage (null: never; run <c>images gc</c>).</summary>
    public TimeSpan? GcInterval { get; init; }

    /// <summary>Blobs younger than this survive GC even when no manifest references them yet (pushes in progress).</summary>
    public TimeSpan GcGrace { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Requests served at once; more are answered TOOMANYREQUESTS (429, Retry-After: 1). Null: no limit.</summary>
    public int? MaxConcurrentRequests { get; init; }

    /// <summary>Page size when a tags or catalog request gives no <c>n</c>, and the largest one honoured.</summary>
    public int MaxPageSize { get; init; } = 10_000;
}
