using System.Runtime.InteropServices;

namespace Images.Platform;

/// <summary>
/// Runs work with a working directory of its own, without touching the process's: a fresh thread unshares its
/// filesystem context (unshare CLONE_FS) and changes into the directory. Lets a mount name its sources by short
/// relative paths (overlay's lowerdirs) while other threads keep using the process's working directory.
/// </summary>
public static partial class DirectoryScope
{
    private const int CLONE_FS = 0x200;

    /// <summary>Runs <paramref name="action"/> on a new thread whose working directory is <paramref name="directory"/>.</summary>
    public static void Run(string directory, Action action)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(action);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                UnixException.ThrowIfFailed(unshare(CLONE_FS), "unshare(CLONE_FS)", directory);
                UnixException.ThrowIfFailed(chdir(directory), "chdir", directory);
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 256 * 1024) { IsBackground = true, Name = "directory-scope" };
        thread.Start();
        thread.Join();
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int unshare(int flags);

    [LibraryImport("libc", EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chdir(string path);
}
