using System.Net;
using System.Net.Sockets;

namespace Images.Registry.Client.Tests.Support;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a registry that drops (resets) the first connection whose client-to-server
/// traffic passes <c>cutAfter</c> bytes: a connection lost in the middle of an upload.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstream;
    private readonly long _cutAfter;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _loop;
    private int _cuts;

    public FaultProxy(int upstreamPort, long cutAfter)
    {
        _upstream = upstreamPort;
        _cutAfter = cutAfter;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(Accept);
    }

    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>Connections dropped so far (at most one).</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    private async Task Accept()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Relay(client));
        }
    }

    private async Task Relay(TcpClient client)
    {
        using var upstream = new TcpClient();
        lock (_open) { _open.Add(client); _open.Add(upstream); }
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _upstream);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = Pump(client.GetStream(), upstream.GetStream(), count: true, both);
            var down = Pump(upstream.GetStream(), client.GetStream(), count: false, both);
            await Task.WhenAny(up, down);
            both.Cancel();
        }
        catch (Exception) { }
        finally
        {
            client.Dispose();
        }
    }

    private async Task Pump(NetworkStream from, NetworkStream to, bool count, CancellationTokenSource both)
    {
        var buffer = new byte[64 << 10];
        long total = 0;
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, both.Token)) > 0)
            {
                if (count && total + read > _cutAfter && Interlocked.CompareExchange(ref _cuts, 1, 0) == 0)
                {
                    // Pass part of it, then reset both sides as a broken network would.
                    int part = (int)Math.Max(0, _cutAfter - total);
                    await to.WriteAsync(buffer.AsMemory(0, part), both.Token);
                    from.Socket.LingerState = new LingerOption(true, 0);
                    to.Socket.LingerState = new LingerOption(true, 0);
                    from.Socket.Close();
                    to.Socket.Close();
                    return;
                }
                total += read;
                await to.WriteAsync(buffer.AsMemory(0, read), both.Token);
            }
        }
        catch (Exception) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_open) foreach (var c in _open) c.Dispose();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
