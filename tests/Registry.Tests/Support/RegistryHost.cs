using System.Net;
using Images.Drivers.Tests;
using Images.Registry.Server;
using Images.Store;
using Microsoft.AspNetCore.Builder;

namespace Images.Registry.Tests.Support;

/// <summary>
/// Our registry on a real Kestrel bound to 127.0.0.1 on a free port, over a fresh store (vfs driver) in a scratch
/// directory. Disposing stops the server, closes the store and deletes everything.
/// </summary>
public sealed class RegistryHost : IAsyncDisposable, IDisposable
{
    private readonly ScratchDirectory? _owned;
    private WebApplication? _app;

    public RegistryHost(RegistryServerOptions? options = null, string? root = null, int listenPort = 0)
    {
        if (root is null)
        {
            _owned = new ScratchDirectory("registry-test-");
            root = _owned.Combine("store");
        }
        Root = root;
        Options = (options ?? new RegistryServerOptions()) with { Listen = new IPEndPoint(IPAddress.Loopback, listenPort) };
        Store = LocalStore.Open(new StoreOptions { Root = root, Driver = "vfs" });
        try
        {
            _app = RegistryServer.Build(Options, Store);
            _app.StartAsync().GetAwaiter().GetResult();
            BaseAddress = new Uri(RegistryServer.Addresses(_app).Single());
            Client = new RegistryHttp(new HttpClient(Handler()) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) });
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Root { get; }
    public RegistryServerOptions Options { get; }
    public LocalStore Store { get; }
    public Uri BaseAddress { get; } = null!;
    public string HostPort => $"{BaseAddress.Host}:{BaseAddress.Port}";
    public RegistryHttp Client { get; } = null!;

    /// <summary>A handler that accepts the test's self-signed certificate.</summary>
    public static HttpMessageHandler Handler() => new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        MaxConnectionsPerServer = 64,
    };

    public RegistryHttp NewClient() =>
        new(new HttpClient(Handler()) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) });

    /// <summary>Stops the server and closes the store, keeping the files (a restart test opens them again).</summary>
    public async Task StopAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is null) return;
        await app.StopAsync();
        await app.DisposeAsync();
        Client?.Dispose();
        Store.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _owned?.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
