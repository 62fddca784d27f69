using System.Text;

namespace Images.Drivers.Overlay;

/// <summary>
/// The mount data of an overlay layer and the arithmetic that bounds image depth. mount(2) copies at most one page
/// of data and terminates it at its last byte, so the options must fit in <c>PageSize - 1</c> bytes. The driver
/// mounts from inside its home directory (see <see cref="Images.Platform.DirectoryScope"/>), so every lower is the
/// relative path of a short link (<c>l/XXXXXXXXXX:</c>, 13 bytes) instead of an absolute diff path: with ids of up to
/// 128 characters about 290 layers fit (the kernel itself stops at <see cref="KernelMaxLowers"/>).
/// </summary>
public static class OverlayMountOptions
{
    /// <summary>Characters of a link name under <c>l/</c>: 10 base32 characters, 50 random bits.</summary>
    public const int LinkLength = 10;

    /// <summary>The kernel's stack limit for lower layers (OVL_MAX_STACK).</summary>
    public const int KernelMaxLowers = 500;

    /// <summary>The directory under home holding one short symlink per layer, pointing at its diff directory.</summary>
    public const string LinkDirectory = "l";

    /// <summary>The most bytes of mount data the kernel keeps (one page, its last byte overwritten with NUL).</summary>
    public static int MaxLength => Environment.SystemPageSize - 1;

    /// <summary>
    /// The mount data for layer <paramref name="id"/> over <paramref name="lowerLinks"/> (link names, top first),
    /// relative to the driver's home; <paramref name="features"/> are extra options such as <c>redirect_dir=off</c>.
    /// </summary>
    public static string Build(string id, IReadOnlyList<string> lowerLinks, string? features)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(lowerLinks);
        if (lowerLinks.Count == 0) throw new ArgumentException("an overlay with an upper dir needs at least one lower dir", nameof(lowerLinks));
        var data = new StringBuilder("lowerdir=");
        for (int i = 0; i < lowerLinks.Count; i++)
        {
            if (i > 0) data.Append(':');
            data.Append(LinkDirectory).Append('/').Append(lowerLinks[i]);
        }
        data.Append(",upperdir=").Append(id).Append("/diff,workdir=").Append(id).Append("/work");
        if (!string.IsNullOrEmpty(features)) data.Append(',').Append(features);
        return data.ToString();
    }

    /// <summary>Whether <paramref name="data"/> survives the copy into the kernel whole.</summary>
    public static bool Fits(string data) => Encoding.UTF8.GetByteCount(data) <= MaxLength;

    /// <summary>
    /// The deepest image (number of layers, the layer itself included) whose top layer, named by an id of
    /// <paramref name="idLength"/> characters, still mounts with <paramref name="features"/>.
    /// </summary>
    public static int MaxDepth(int idLength, string? features)
    {
        string id = new('x', idLength);
        string link = new('L', LinkLength);
        int lowers = (MaxLength - Build(id, [link], features).Length) / (LinkDirectory.Length + LinkLength + 2) + 1;
        return Math.Min(lowers, KernelMaxLowers) + 1;
    }
}
