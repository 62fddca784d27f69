namespace Images.Core.Layers;

/// <summary>How removed and opaque entries are represented in a directory.</summary>
public enum WhiteoutFormat
{
    /// <summary>Whiteouts are carried out: the named entries are deleted (a full copy of the tree).</summary>
    Applied,

    /// <summary>Kept as OCI/AUFS files: <c>.wh.name</c> and <c>.wh..wh..opq</c>.</summary>
    Aufs,

    /// <summary>overlayfs form: a 0/0 character device for a removed entry, <c>trusted.overlay.opaque=y</c> on an opaque dir.</summary>
    Overlay,
}
