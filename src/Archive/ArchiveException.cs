namespace Images.Archive;

/// <summary>
/// A layer tar that is hostile, corrupt or over a limit. The message names the entry and the reason; nothing has
/// been written outside the target directory.
/// </summary>
public sealed class ArchiveException : Exception
{
    public ArchiveException(string message) : base(message) { }
    public ArchiveException(string message, Exception inner) : base(message, inner) { }

    internal static ArchiveException ForEntry(string entry, string reason) =>
        new($"layer entry '{entry}': {reason}");
}
