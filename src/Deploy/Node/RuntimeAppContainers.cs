using Images.Deploy.Protocol;
using Images.Runtime;
using Images.Runtime.Containers;
using Images.Store.Catalog;

namespace Images.Deploy.Node;

/// <summary>The app's containers through the runtime's <see cref="ContainerManager"/>: each release is a container named <c>APP.N</c>.</summary>
public sealed class RuntimeAppContainers(ContainerManager containers) : IAppContainers
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    public string Create(Image image, string app, int release, DeployRequest request)
    {
        var network = request.Network switch
        {
            "host" => NetworkMode.Host,
            "none" => NetworkMode.None,
            _ => throw new ArgumentException($"network \"{request.Network}\" is not supported: use host or none"),
        };
        var run = new RunOptions { Env = request.Env, Network = network };
        return containers.Create(image.Id.ToString(), run, new ContainerManager.CreateOptions { Name = $"{app}.{release}" }).Id;
    }

    public void Start(string container) => containers.Start(container);

    public bool IsRunning(string container)
    {
        try { return containers.Get(container).IsRunning; }
        catch (ContainerNotFoundException) { return false; }
    }

    public int Exec(string container, string command, CancellationToken cancel) =>
        containers.Exec(container, new ExecOptions { Cmd = ["/bin/sh", "-c", command] }, ProcessIo.Pipes(null, Stream.Null, Stream.Null), cancel);

    public string Logs(string container, int maxBytes)
    {
        using var log = new FileStream(containers.LogPath(container), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (log.Length > maxBytes) log.Seek(-maxBytes, SeekOrigin.End);
        return new StreamReader(log).ReadToEnd();
    }

    public void Stop(string container)
    {
        try
        {
            if (IsRunning(container)) containers.Stop(container, StopTimeout);
        }
        catch (ContainerNotFoundException) { }
    }

    public void Remove(string container)
    {
        try { containers.Remove(container, force: true); }
        catch (ContainerNotFoundException) { }
    }
}
