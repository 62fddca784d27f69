namespace Images.Builder.Parsing;

/// <summary>
/// Shell glob patterns as used by <c>${V#pattern}</c>, <c>${V%pattern}</c> and <c>${V/pattern/text}</c>:
/// <c>*</c> any text (slashes included), <c>?</c> one character, <c>[abc]</c>, <c>[a-z]</c>, <c>[!x]</c> or
/// <c>[^x]</c> classes, and the escape character making the next one literal.
/// </summary>
internal static class ShellPattern
{
    public static bool Matches(string pattern, string text, char escape) => Match(pattern, 0, text, 0, escape);

    private static bool Match(string pattern, int p, string text, int t, char escape)
    {
        while (p < pattern.Length)
        {
            char c = pattern[p];
            if (c == '*')
            {
                while (p < pattern.Length && pattern[p] == '*')
                {
                    p++;
                }
                for (int k = t; k <= text.Length; k++)
                {
                    if (Match(pattern, p, text, k, escape))
                    {
                        return true;
                    }
                }
                return false;
            }
            if (t >= text.Length)
            {
                return false;
            }
            if (c == '?')
            {
                p++;
                t++;
                continue;
            }
            if (c == '[' && TryMatchClass(pattern, p, text[t], escape, out int next, out bool inClass))
            {
                if (!inClass)
                {
                    return false;
                }
                p = next;
                t++;
                continue;
            }
            if (c == escape && p + 1 < pattern.Length)
            {
                c = pattern[++p];
            }
            if (text[t] != c)
            {
                return false;
            }
            p++;
            t++;
        }
        return t == text.Length;
    }

    /// <summary>Matches a bracket expression starting at <paramref name="start"/>; false when it is not closed (then '[' is literal).</summary>
    private static bool TryMatchClass(string pattern, int start, char c, char escape, out int next, out bool matched)
    {
        int p = start + 1;
        bool negate = p < pattern.Length && pattern[p] is '!' or '^';
        if (negate)
        {
            p++;
        }
        bool found = false;
        bool first = true;
        while (p < pattern.Length && (pattern[p] != ']' || first))
        {
            first = false;
            char low = pattern[p];
            if (low == escape && p + 1 < pattern.Length)
            {
                low = pattern[++p];
            }
            p++;
            char high = low;
            if (p + 1 < pattern.Length && pattern[p] == '-' && pattern[p + 1] != ']')
            {
                high = pattern[p + 1];
                if (high == escape && p + 2 < pattern.Length)
                {
                    high = pattern[p + 2];
                    p++;
                }
                p += 2;
            }
            if (c >= low && c <= high)
            {
                found = true;
            }
        }
        if (p >= pattern.Length)
        {
            next = start;
            matched = false;
            return false;
        }
        next = p + 1;
        matched = found != negate;
        return true;
    }
}
