using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Images.Registry.Server.Auth;
using Images.Registry.Server.Storage;
using Images.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Images.Registry.Server;

/// <summary>
/// An OCI distribution-spec 1.1 registry on Kestrel, storing into a <see cref="LocalStore"/>. <see cref="Build"/>
/// returns the application unstarted, so a host can add its own endpoints (<c>extra</c>, e.g. a node API under
/// <c>/node/</c>): they sit behind the same authentication as <c>/v2/</c>.
/// </summary>
public static class RegistryServer
{
    public static WebApplication Build(RegistryServerOptions options, LocalStore store, params Action<IEndpointRouteBuilder>[] extra)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        Validate(options);
        var users = options.HtpasswdFile is { } file ? Htpasswd.Load(file) : null;
        var tokens = options.TokenRealm is null ? null
            : new TokenService(options.TokenKey ?? RandomNumberGenerator.GetBytes(32), options.TokenService, options.TokenLifetime);
        var access = new AccessControl(options, users, tokens);
        if (access.IsOpen && !IPAddress.IsLoopback(options.Listen.Address) && !options.AllowAnonymousRemote)
            throw new ArgumentException(
                $"refusing to serve {options.Listen} without authentication: give --htpasswd or --token-realm, or listen on 127.0.0.1");
        store.Registry.UploadTimeout = options.UploadTimeout;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null; // blobs are streamed to disk, whatever their size
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Listen, listen =>
            {
                if (options.TlsCertificate is { } cert)
                    listen.UseHttps(X509Certificate2.CreateFromPemFile(cert, options.TlsKey));
            });
        });
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(options);
        builder.Services.AddHostedService<GarbageSchedule>();

        var app = builder.Build();
        var api = new RegistryApi(new RegistryContext(store, new StoreStorageDriver(store), options), access);
        string[] methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
        app.MapMethods("/v2", methods, (HttpContext context) => api.HandleAsync(context, ""));
        app.MapMethods("/v2/{**path}", methods, (HttpContext context, string? path) => api.HandleAsync(context, path));
        string? tokenPath = options.TokenRealm is { } realm && options.ServeTokenEndpoint ? new Uri(realm).AbsolutePath : null;
        if (tokenPath is not null) app.MapGet(tokenPath, (HttpContext context) => TokenEndpoint.HandleAsync(context, tokens!, users));

        if (extra.Length > 0)
        {
            // The host's endpoints need a caller the registry accepts (any valid login or token).
            app.Use(async (context, next) =>
            {
                var path = context.Request.Path;
                if (path.StartsWithSegments("/v2") || (tokenPath is not null && path.Equals(tokenPath)) || await access.AuthorizeAsync(context, null))
                    await next(context);
            });
            foreach (var map in extra) map(app);
        }
        return app;
    }

    /// <summary>The addresses a started server listens on (the real port when <see cref="RegistryServerOptions.Listen"/> had port 0).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static void Validate(RegistryServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Listen);
        if ((options.TlsCertificate is null) != (options.TlsKey is null))
            throw new ArgumentException("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
        if (options.TlsCertificate is { } cert && !File.Exists(cert)) throw new FileNotFoundException($"TLS certificate {cert} does not exist", cert);
        if (options.TlsKey is { } key && !File.Exists(key)) throw new FileNotFoundException($"TLS key {key} does not exist", key);
        if (options.HtpasswdFile is { } file && !File.Exists(file)) throw new FileNotFoundException($"htpasswd file {file} does not exist", file);
        if (options.TokenRealm is { } realm && !Uri.TryCreate(realm, UriKind.Absolute, out _))
            throw new ArgumentException($"token realm \"{realm}\" is not an absolute URL (e.g. http://127.0.0.1:5000/token)");
        if (options.MaxManifestBytes <= 0) throw new ArgumentException("the manifest size limit must be positive");
        if (options.MaxConcurrentRequests <= 0) throw new ArgumentException("the concurrent request limit must be positive");
        if (options.MaxPageSize <= 0) throw new ArgumentException("the page size limit must be positive");
    }
}
