namespace Images.Registry.Distribution;

/// <summary>The RFC 8288 <c>Link: &lt;url&gt;; rel="next"</c> header that paginates tag lists and the catalog.</summary>
public static class LinkHeader
{
    public static string Next(string url) => $"<{url}>; rel=\"next\"";

    /// <summary>The target of the <c>rel="next"</c> link in <paramref name="header"/>, or null.</summary>
    public static string? ParseNext(string? header)
    {
        if (string.IsNullOrEmpty(header)) return null;
        foreach (var link in header.Split(','))
        {
            int open = link.IndexOf('<'), close = link.IndexOf('>');
            if (open < 0 || close < open) continue;
            var parameters = link[(close + 1)..].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parameters.Any(p => p.Replace(" ", "") is "rel=\"next\"" or "rel=next"))
                return link[(open + 1)..close];
        }
        return null;
    }
}
