using Images.Deploy.Protocol;
using Images.Store.Catalog;

namespace Images.Deploy.Node;

/// <summary>What the deployer needs of the runtime: containers as the app's releases see them.</summary>
public interface IAppContainers
{
    /// <summary>Creates (not starts) the container of release <paramref name="release"/> of <paramref name="app"/>.</summary>
    string Create(Image image, string app, int release, DeployRequest request);

    /// <summary>Starts a container detached, under its monitor, so it outlives the server.</summary>
    void Start(string container);

    bool IsRunning(string container);

    /// <summary>Runs a shell command inside the running container; its exit code.</summary>
    int Exec(string container, string command, CancellationToken cancel);

    /// <summary>The last bytes of the container's log, for a failure report.</summary>
    string Logs(string container, int maxBytes);

    /// <summary>Stops a container (SIGTERM, then SIGKILL); nothing when it is not running or gone.</summary>
    void Stop(string container);

    /// <summary>Removes a container and its rw layer; nothing when it is gone.</summary>
    void Remove(string container);
}
