using System.Text;

namespace Images.Archive;

/// <summary>
/// The one entry order of every tar written here: paths compared component by component, each component by the
/// bytes of its UTF-8 encoding (= code point order). A directory thus comes right before its own children,
/// like GNU tar's <c>--sort=name</c>.
/// </summary>
internal sealed class PathOrder : IComparer<string>
{
    public static PathOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int i = 0, j = 0;
        while (true)
        {
            bool xEnd = i == x.Length || x[i] == '/';
            bool yEnd = j == y.Length || y[j] == '/';
            if (xEnd || yEnd)
            {
                if (!(xEnd && yEnd)) return xEnd ? -1 : 1; // a component that is a prefix of another sorts first
                if (i == x.Length || j == y.Length) return (i == x.Length ? 0 : 1) - (j == y.Length ? 0 : 1);
                i++; j++;
                continue;
            }
            Rune.DecodeFromUtf16(x.AsSpan(i), out var rx, out int nx);
            Rune.DecodeFromUtf16(y.AsSpan(j), out var ry, out int ny);
            if (rx != ry) return rx.Value.CompareTo(ry.Value);
            i += nx; j += ny;
        }
    }

    /// <summary>Orders names within one directory.</summary>
    public static int CompareNames(string x, string y) => Instance.Compare(x, y);
}
