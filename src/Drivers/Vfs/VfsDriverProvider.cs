namespace Images.Drivers.Vfs;

/// <summary>vfs works on any filesystem that holds ordinary directories, so it is always supported (and chosen last).</summary>
public sealed class VfsDriverProvider : IDriverProvider
{
    public string Name => VfsDriver.DriverName;

    public DriverSupport Probe(string home) => DriverSupport.Yes("plain directories work on every filesystem");

    public IGraphDriver Open(string home) => VfsDriver.Open(home);
}
