using Images.Registry.Server.Storage;
using Images.Store;

namespace Images.Registry.Server;

/// <summary>What every endpoint shares: the store, the storage driver over it, and the options.</summary>
internal sealed class RegistryContext(LocalStore store, IStorageDriver driver, RegistryServerOptions options)
{
    public LocalStore Store { get; } = store;
    public IStorageDriver Driver { get; } = driver;
    public RegistryServerOptions Options { get; } = options;
}
