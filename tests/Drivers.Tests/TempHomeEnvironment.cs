namespace Images.Drivers.Tests;

/// <summary>
/// A driver whose home is a fresh temp dir on the root filesystem (ext4 here), for the union drivers (overlay, aufs)
/// that need nothing but a directory with xattrs. Opening throws, failing the test, where the driver cannot work.
/// </summary>
public sealed class TempHomeEnvironment : IDriverEnvironment
{
    private readonly ScratchDirectory _scratch;
    private readonly IGraphDriver? _driver;

    public TempHomeEnvironment(string prefix, Func<string, IGraphDriver> open)
    {
        _scratch = new ScratchDirectory(prefix);
        try
        {
            Home = Path.Combine(_scratch.Path, "home");
            _driver = open(Home);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IGraphDriver Driver => _driver!;

    public string Home { get; } = "";

    public void Dispose()
    {
        try
        {
            _driver?.Dispose();
        }
        finally
        {
            _scratch.Dispose();
        }
    }
}
