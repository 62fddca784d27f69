namespace Images.Builder.Engine;

/// <summary>A build step that failed: which step, why, and (for RUN) the exit code of its command.</summary>
public sealed class BuildException : Exception
{
    public BuildException(string message, int? exitCode = null, Exception? inner = null) : base(message, inner) => ExitCode = exitCode;

    /// <summary>The exit code of the failed RUN command, when a command failed.</summary>
    public int? ExitCode { get; }
}
