namespace Images.Archive;

/// <summary>One changed path between two trees, as <c>docker diff</c> prints it: <c>A /new</c>, <c>C /srv</c>, <c>D /etc/passwd</c>.</summary>
/// <param name="Path">Absolute path inside the root filesystem, starting with '/'.</param>
public sealed record Change(string Path, ChangeKind Kind)
{
    public override string ToString() => $"{(char)Kind} {Path}";
}

public enum ChangeKind
{
    Added = 'A',
    Modified = 'C',
    Deleted = 'D',
}
