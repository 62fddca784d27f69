using Images.Builder.Context;

namespace Images.Builder.Engine;

/// <summary>
/// One thing a COPY/ADD step takes: a path in a tree (the build context, or another stage's or image's root
/// filesystem, each seen through a <see cref="BuildContext"/> so walking never follows a symlink), or a heredoc body.
/// </summary>
internal abstract record CopyItem;

internal sealed record TreeItem(BuildContext Tree, string Path) : CopyItem;

internal sealed record InlineItem(string Name, byte[] Content) : CopyItem;
