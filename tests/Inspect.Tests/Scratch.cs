using Images.Store;

namespace Images.Inspect.Tests;

/// <summary>A fresh directory under the temp path, removed with its content on dispose.</summary>
public sealed class Scratch : IDisposable
{
    private LocalStore? _store;

    public Scratch()
    {
        Root = Path.Combine(Path.GetTempPath(), $"inspect-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>A store (vfs driver) under this directory, opened on first use and closed on dispose.</summary>
    public LocalStore Store => _store ??= LocalStore.Open(new StoreOptions { Root = Combine("store"), Driver = "vfs" });

    public void Dispose()
    {
        if (_store is not null)
        {
            _store.Cleanup();
            _store.Dispose();
        }
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
