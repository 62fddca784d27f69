namespace Images.Builder.Parsing;

/// <summary>One source of COPY or ADD: a path or URL as written, or a heredoc (<c>COPY &lt;&lt;EOF /dest</c>).</summary>
/// <param name="Path">The raw source word (for a heredoc, the marker as written).</param>
/// <param name="Heredoc">The heredoc this source names, or null for a path.</param>
public sealed record CopySource(string Path, Heredoc? Heredoc);

/// <summary>
/// What COPY and ADD share: sources, a destination and ownership/permission flags. Sources, destination and
/// flag values are expanded. A destination ending in <c>/</c> (or several sources) means a directory.
/// </summary>
public abstract record FileCopyInstruction(
    IReadOnlyList<CopySource> Sources,
    string Destination,
    string? Chown,
    string? Chmod,
    bool Link,
    IReadOnlyList<string> Excludes,
    bool IsExecForm) : Instruction
{
    public override bool ExpandsVariables => true;
}

/// <summary>
/// <c>COPY [--from=stage|index|image] [--chown=u:g] [--chmod=mode] [--link] [--parents] [--exclude=p] src... dest</c>.
/// </summary>
public sealed record CopyInstruction(
    IReadOnlyList<CopySource> Sources,
    string Destination,
    string? From,
    string? Chown,
    string? Chmod,
    bool Link,
    bool Parents,
    IReadOnlyList<string> Excludes,
    bool IsExecForm)
    : FileCopyInstruction(Sources, Destination, Chown, Chmod, Link, Excludes, IsExecForm)
{
    public override string Keyword => "COPY";
}

/// <summary>
/// <c>ADD [--chown] [--chmod] [--link] [--checksum=digest] [--keep-git-dir] [--exclude=p] src... dest</c>:
/// as COPY, plus URLs and auto-extraction of local tar archives.
/// </summary>
public sealed record AddInstruction(
    IReadOnlyList<CopySource> Sources,
    string Destination,
    string? Chown,
    string? Chmod,
    bool Link,
    string? Checksum,
    bool KeepGitDir,
    IReadOnlyList<string> Excludes,
    bool IsExecForm)
    : FileCopyInstruction(Sources, Destination, Chown, Chmod, Link, Excludes, IsExecForm)
{
    public override string Keyword => "ADD";
}
