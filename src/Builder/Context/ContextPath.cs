using System.Text;

namespace Images.Builder.Context;

/// <summary>Slash-separated paths inside a build context, cleaned as Go's <c>path.Clean</c> does.</summary>
public static class ContextPath
{
    /// <summary>
    /// The shortest equivalent path: repeated slashes collapsed, <c>.</c> elements removed, <c>..</c> resolved
    /// against the element before it (dropped at the root, kept at the start of a relative path); "" is ".".
    /// </summary>
    public static string Clean(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        bool rooted = path.StartsWith('/');
        var parts = new List<string>();
        foreach (string element in path.Split('/'))
        {
            if (element.Length == 0 || element == ".")
            {
                continue;
            }
            if (element == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    parts.Add(element);
                }
                continue;
            }
            parts.Add(element);
        }
        var cleaned = new StringBuilder();
        if (rooted)
        {
            cleaned.Append('/');
        }
        cleaned.AppendJoin('/', parts);
        return cleaned.Length == 0 ? "." : cleaned.ToString();
    }

    /// <summary>A path relative to the context root: cleaned, leading slashes removed ("" and "/" give ".").</summary>
    public static string Relative(string path)
    {
        string cleaned = Clean(path);
        return cleaned == "/" ? "." : cleaned.TrimStart('/');
    }
}
