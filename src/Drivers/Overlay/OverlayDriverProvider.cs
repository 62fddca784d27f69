namespace Images.Drivers.Overlay;

/// <summary>overlay is supported where a real test mount under home works (probed once per home).</summary>
public sealed class OverlayDriverProvider : IDriverProvider
{
    public string Name => OverlayDriver.DriverName;

    public DriverSupport Probe(string home)
    {
        var support = OverlayProbe.For(home);
        return support.Supported ? DriverSupport.Yes(support.Reason) : DriverSupport.No(support.Reason);
    }

    public IGraphDriver Open(string home) => OverlayDriver.Open(home, OverlayProbe.For(home));
}
