namespace Images.Inspect;

/// <summary>
/// One header of a layer tar: its normalized path (<c>/a/b</c>, the root is <c>/</c>), its facts, the size it adds
/// to the layer (0 for a hard link), and for a hard link the path it links to.
/// </summary>
public sealed record LayerEntry(string Path, FileFacts Facts, long HeaderSize, string? HardLinkTarget);
