using System.Net;

namespace Images.Registry.Client.Tests.Support;

/// <summary>
/// A registry that serves fixed documents and blobs from memory (HttpListener on 127.0.0.1), for the faults a real
/// registry never makes: a blob whose bytes do not match its digest.
/// </summary>
public sealed class FakeRegistry : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, (string ContentType, byte[] Body)> _routes = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public FakeRegistry()
    {
        Port = FreePort.Pick();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/> (e.g. <c>/v2/foo/blobs/sha256:…</c>).</summary>
    public void Add(string path, string contentType, byte[] body)
    {
        lock (_routes) _routes[path] = (contentType, body);
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            var response = context.Response;
            try
            {
                string path = context.Request.Url!.AbsolutePath;
                (string ContentType, byte[] Body) route;
                bool found;
                lock (_routes) found = _routes.TryGetValue(path, out route);
                if (path == "/v2/")
                {
                    response.StatusCode = 200;
                }
                else if (!found)
                {
                    response.StatusCode = 404;
                }
                else
                {
                    response.ContentType = route.ContentType;
                    response.ContentLength64 = route.Body.Length;
                    if (context.Request.HttpMethod != "HEAD") await response.OutputStream.WriteAsync(route.Body);
                }
            }
            catch (Exception) { }
            finally { response.Close(); }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
