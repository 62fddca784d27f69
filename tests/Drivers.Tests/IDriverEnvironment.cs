namespace Images.Drivers.Tests;

/// <summary>
/// A driver opened on a scratch home for one test (a loop-mounted btrfs or xfs image, a tmpfs, ...); disposing it
/// closes the driver and removes everything the environment made.
/// </summary>
public interface IDriverEnvironment : IDisposable
{
    IGraphDriver Driver { get; }

    /// <summary>The driver's home directory: nothing may stay mounted below it after a test.</summary>
    string Home { get; }
}
