namespace Images.Drivers.Aufs;

/// <summary>aufs is supported with the kernel's aufs, or with fuse-overlayfs standing in for it.</summary>
public sealed class AufsDriverProvider : IDriverProvider
{
    public string Name => AufsDriver.DriverName;

    public DriverSupport Probe(string home)
    {
        var support = AufsProbe.Run(home);
        return support.Supported ? DriverSupport.Yes(support.Reason) : DriverSupport.No(support.Reason);
    }

    public IGraphDriver Open(string home) => AufsDriver.Open(home, AufsProbe.Run(home));
}
