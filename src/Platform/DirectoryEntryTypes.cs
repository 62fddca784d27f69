using System.Runtime.InteropServices;

namespace Images.Platform;

/// <summary>Whether a filesystem's readdir reports entry types (d_type), which overlayfs needs to find whiteouts.</summary>
public static unsafe partial class DirectoryEntryTypes
{
    /// <summary>
    /// True when readdir in <paramref name="directory"/> reports a type for its entries (xfs made with ftype=0
    /// does not). The directory must hold at least one entry; the caller creates one.
    /// </summary>
    public static bool Reported(string directory)
    {
        nint dir = opendir(directory);
        if (dir == 0) throw new UnixException("opendir", directory, Marshal.GetLastPInvokeError());
        try
        {
            bool sawEntry = false;
            while (true)
            {
                byte* entry = readdir64(dir);
                if (entry == null) return sawEntry;
                // struct dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
                string name = Marshal.PtrToStringUTF8((nint)(entry + 19)) ?? "";
                if (name is "." or "..") continue;
                if (entry[18] == 0 /* DT_UNKNOWN */) return false;
                sawEntry = true;
            }
        }
        finally
        {
            closedir(dir);
        }
    }

    [LibraryImport("libc", EntryPoint = "opendir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint opendir(string path);

    [LibraryImport("libc", EntryPoint = "readdir64")]
    private static partial byte* readdir64(nint dir);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int closedir(nint dir);
}
