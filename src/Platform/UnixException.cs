using System.Runtime.InteropServices;

namespace Images.Platform;

/// <summary>A failed system call: which call, on what, and the errno with its message.</summary>
public sealed class UnixException : IOException
{
    public int Errno { get; }

    public UnixException(string call, string subject, int errno)
        : base($"{call} {subject}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno)
    {
        Errno = errno;
    }

    /// <summary>Throws for the last P/Invoke error when <paramref name="result"/> is negative.</summary>
    internal static void ThrowIfFailed(long result, string call, string subject)
    {
        if (result < 0) throw new UnixException(call, subject, Marshal.GetLastPInvokeError());
    }

    internal static int LastErrno => Marshal.GetLastPInvokeError();
}
