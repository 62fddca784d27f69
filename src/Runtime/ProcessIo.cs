namespace Images.Runtime;

/// <summary>Where the process's stdio goes: the caller's own fds, or pumped into/out of streams (the builder's case).</summary>
public sealed class ProcessIo
{
    private ProcessIo(Stream? stdin, Stream? stdout, Stream? stderr, bool inherit)
    {
        Stdin = stdin;
        Stdout = stdout;
        Stderr = stderr;
        IsInherited = inherit;
    }

    /// <summary>The process gets this process's fds 0, 1 and 2.</summary>
    public static ProcessIo Inherit { get; } = new(null, null, null, true);

    /// <summary>stdout and stderr are copied into the streams; stdin is copied from <paramref name="stdin"/> (empty when null).</summary>
    public static ProcessIo Pipes(Stream? stdin, Stream stdout, Stream stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        return new ProcessIo(stdin, stdout, stderr, false);
    }

    public bool IsInherited { get; }
    public Stream? Stdin { get; }
    public Stream? Stdout { get; }
    public Stream? Stderr { get; }
}
