namespace Images.Drivers;

/// <summary>
/// Knows whether a driver can work here and opens it. One per driver; <see cref="DriverRegistry"/> lists them
/// in order of preference.
/// </summary>
public interface IDriverProvider
{
    string Name { get; }

    /// <summary>Whether the driver works with its home directory at <paramref name="home"/>, and why not when it does not.</summary>
    DriverSupport Probe(string home);

    /// <summary>Opens the driver keeping its state under <paramref name="home"/> (<c>&lt;root&gt;/drivers/&lt;name&gt;</c>).</summary>
    IGraphDriver Open(string home);
}

public sealed record DriverSupport(bool Supported, string Reason)
{
    public static DriverSupport Yes(string reason = "") => new(true, reason);
    public static DriverSupport No(string reason) => new(false, reason);
}
