using System.CommandLine;
using System.Globalization;
using System.Net;
using Images.Cli.Formatting;
using Images.Registry.Server;
using Microsoft.Extensions.Hosting;

namespace Images.Cli.Commands;

/// <summary>serve and gc: the registry server on the local store, and its garbage collection.</summary>
internal static class RegistryServerCommands
{
    public static Command Serve(CliContext context)
    {
        var listen = new Option<string>("--listen") { Description = "Address and port to listen on (default 127.0.0.1:5000; port 0 picks one)", DefaultValueFactory = _ => "127.0.0.1:5000" };
        var htpasswd = new Option<string?>("--htpasswd") { Description = "htpasswd file of bcrypt hashes: require basic auth (and log in at the token realm)" };
        var realm = new Option<string?>("--token-realm") { Description = "Bearer-token realm URL; a path of this server (e.g. http://127.0.0.1:5000/token) is served by it" };
        var tokenKey = new Option<string?>("--token-key") { Description = "File holding the token signing key (default: a random key per run)" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate: serve HTTPS" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert" };
        var readOnly = new Option<bool>("--read-only") { Description = "Refuse every push and delete" };
        var gcInterval = new Option<string?>("--gc-interval") { Description = "Collect garbage this often while serving (e.g. 1h, 30m; default: never)" };
        var gcGrace = new Option<string>("--gc-grace") { Description = "Keep unreferenced blobs younger than this (default 1h)", DefaultValueFactory = _ => "1h" };
        var uploadTimeout = new Option<string>("--upload-timeout") { Description = "Expire upload sessions idle for this long (default 24h)", DefaultValueFactory = _ => "24h" };
        var maxRequests = new Option<int?>("--max-requests") { Description = "Serve at most this many requests at once; more get 429 TOOMANYREQUESTS (default: no limit)" };
        var command = new Command("serve", "Serve the store as an OCI registry (distribution-spec 1.1)")
        {
            listen, htpasswd, realm, tokenKey, tlsCert, tlsKey, readOnly, gcInterval, gcGrace, uploadTimeout, maxRequests,
        };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            var options = new RegistryServerOptions
            {
                Listen = Endpoint(parse.GetValue(listen)!),
                HtpasswdFile = parse.GetValue(htpasswd),
                TokenRealm = parse.GetValue(realm),
                TokenKey = parse.GetValue(tokenKey) is { } keyFile ? File.ReadAllBytes(keyFile) : null,
                TlsCertificate = parse.GetValue(tlsCert),
                TlsKey = parse.GetValue(tlsKey),
                ReadOnly = parse.GetValue(readOnly),
                GcInterval = parse.GetValue(gcInterval) is { } interval ? Duration(interval, "--gc-interval") : null,
                GcGrace = Duration(parse.GetValue(gcGrace)!, "--gc-grace"),
                UploadTimeout = Duration(parse.GetValue(uploadTimeout)!, "--upload-timeout"),
                MaxConcurrentRequests = parse.GetValue(maxRequests),
            };
            var app = RegistryServer.Build(options, store);
            app.Start();
            foreach (var address in RegistryServer.Addresses(app)) context.Out.WriteLine($"serving {store.Root} on {address}");
            context.Out.Flush();
            app.WaitForShutdown();
            return 0;
        });
        return command;
    }

    public static Command Gc(CliContext context)
    {
        var grace = new Option<string>("--grace") { Description = "Keep unreferenced blobs younger than this (pushes in progress; default 1h)", DefaultValueFactory = _ => "1h" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list what would be removed" };
        var command = new Command("gc", "Remove blobs no registry manifest or local image references (safe while a server takes pushes)") { grace, dryRun };
        command.SetAction(parse =>
        {
            var store = context.Store(parse);
            bool dry = parse.GetValue(dryRun);
            var report = store.CollectRegistryGarbage(Duration(parse.GetValue(grace)!, "--grace"), dry);
            string verb = dry ? "Would delete" : "Deleted";
            foreach (var upload in report.UploadsExpired) context.Out.WriteLine($"Expired upload: {upload}");
            foreach (var link in report.LinksRemoved) context.Out.WriteLine($"{verb} link: {link}");
            foreach (var blob in report.BlobsRemoved) context.Out.WriteLine($"{verb} blob: {blob}");
            context.Out.WriteLine($"Total {(dry ? "reclaimable" : "reclaimed")} space: {Units.Size(report.BytesFreed)}");
            return 0;
        });
        return command;
    }

    /// <summary>"127.0.0.1:5000", "[::1]:5000" or ":5000" (loopback).</summary>
    internal static IPEndPoint Endpoint(string text)
    {
        if (text.StartsWith(':')) text = "127.0.0.1" + text;
        if (IPEndPoint.TryParse(text, out var endpoint) && text.Contains(':') && endpoint.Port is >= 0 and <= 65535) return endpoint;
        if (text.Split(':') is [var host, var port] && host == "localhost" && int.TryParse(port, out int p))
            return new IPEndPoint(IPAddress.Loopback, p);
        throw new UsageException($"--listen \"{text}\" is not ADDRESS:PORT (e.g. 127.0.0.1:5000)");
    }

    /// <summary>A duration like 90s, 30m, 1h, 7d (or a TimeSpan such as 01:30:00).</summary>
    internal static TimeSpan Duration(string text, string option)
    {
        text = text.Trim();
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n >= 0)
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        throw new UsageException($"{option} \"{text}\" is not a duration (e.g. 90s, 30m, 1h, 7d)");
    }
}
