using System.Text;
using System.Text.RegularExpressions;

namespace Images.Builder.Context;

/// <summary>
/// A pattern over slash-separated context paths: Go <c>filepath.Match</c> syntax (<c>*</c> and <c>?</c> stop
/// at <c>/</c>, <c>[...]</c> classes with <c>^</c> negation and ranges, <c>\</c> escapes), plus, for
/// <c>.dockerignore</c>, <c>**</c>, which matches any number of directories, none included. COPY and ADD
/// sources use it without <c>**</c>, as Docker's documentation says (filepath.Match rules).
/// </summary>
public sealed class PathPattern
{
    private readonly Regex _whole;
    private readonly Regex[] _components;
    private readonly bool _doubleStar;

    private PathPattern(string pattern, bool allowDoubleStar)
    {
        Pattern = pattern;
        _doubleStar = allowDoubleStar;
        _whole = new Regex("^" + Translate(pattern, allowDoubleStar) + "$", RegexOptions.CultureInvariant);
        _components = pattern.Split('/')
            .Select(part => new Regex("^" + Translate(part, allowDoubleStar: false) + "$", RegexOptions.CultureInvariant))
            .ToArray();
    }

    /// <summary>The pattern as compiled (cleaned by the caller).</summary>
    public string Pattern { get; }

    /// <summary>Compiles <paramref name="pattern"/>; a malformed one is a <see cref="FormatException"/> saying what is wrong.</summary>
    public static PathPattern Create(string pattern, bool allowDoubleStar)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (Validate(pattern) is { } problem)
        {
            throw new FormatException($"syntax error in pattern \"{pattern}\": {problem}");
        }
        return new PathPattern(pattern, allowDoubleStar);
    }

    /// <summary>True when <paramref name="pattern"/> has a wildcard (an unescaped <c>*</c>, <c>?</c> or <c>[</c>).</summary>
    public static bool HasWildcard(string pattern)
    {
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
            {
                i++;
            }
            else if (pattern[i] is '*' or '?' or '[')
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>True when the whole cleaned relative <paramref name="path"/> matches.</summary>
    public bool Matches(string path) => _whole.IsMatch(path);

    /// <summary>
    /// Whether something under directory <paramref name="directory"/> could match: false only when the
    /// pattern's leading components already fail on the directory's.
    /// </summary>
    public bool MayMatchUnder(string directory)
    {
        var parts = directory.Split('/');
        var written = Pattern.Split('/');
        for (int i = 0; i < parts.Length; i++)
        {
            if (i >= written.Length)
            {
                return false;
            }
            if (_doubleStar && written[i].Contains("**", StringComparison.Ordinal))
            {
                // From here on any depth may match.
                return true;
            }
            if (!_components[i].IsMatch(parts[i]))
            {
                return false;
            }
        }
        return written.Length > parts.Length;
    }

    public override string ToString() => Pattern;

    /// <summary>Checks the pattern as <c>filepath.Match</c> would; returns the problem or null.</summary>
    private static string? Validate(string pattern)
    {
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\')
            {
                if (++i >= pattern.Length)
                {
                    return "it ends with an escaping backslash";
                }
            }
            else if (c == '[')
            {
                int end = ClassEnd(pattern, i);
                if (end < 0)
                {
                    return "a '[' character class is not closed by ']' (or is empty, or has a dangling '-')";
                }
                i = end;
            }
        }
        return null;
    }

    /// <summary>Index of the ']' closing the class opened at <paramref name="open"/>, or -1 when malformed.</summary>
    private static int ClassEnd(string pattern, int open)
    {
        int i = open + 1;
        if (i < pattern.Length && pattern[i] == '^')
        {
            i++;
        }
        int items = 0;
        while (i < pattern.Length)
        {
            if (pattern[i] == ']' && items > 0)
            {
                return i;
            }
            // Each item is a character (possibly escaped), or a range low-high.
            if (!ReadClassChar(pattern, ref i) || (i < pattern.Length && pattern[i] == '-' && !ReadRangeEnd(pattern, ref i)))
            {
                return -1;
            }
            items++;
        }
        return -1;
    }

    private static bool ReadClassChar(string pattern, ref int i)
    {
        if (i >= pattern.Length || pattern[i] is '-' or ']')
        {
            return false;
        }
        if (pattern[i] == '\\')
        {
            i++;
            if (i >= pattern.Length)
            {
                return false;
            }
        }
        i++;
        return true;
    }

    private static bool ReadRangeEnd(string pattern, ref int i)
    {
        i++;
        return ReadClassChar(pattern, ref i);
    }

    private static string Translate(string pattern, bool allowDoubleStar)
    {
        var regex = new StringBuilder();
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*' when allowDoubleStar && i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                    }
                    regex.Append(i + 1 >= pattern.Length ? ".*" : "(.*/)?");
                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '\\' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '[' when ClassEnd(pattern, i) is int end and > 0:
                    regex.Append('[');
                    int j = i + 1;
                    if (pattern[j] == '^')
                    {
                        regex.Append('^');
                        j++;
                    }
                    for (; j < end; j++)
                    {
                        char member = pattern[j];
                        if (member == '\\')
                        {
                            member = pattern[++j];
                        }
                        else if (member == '-')
                        {
                            regex.Append('-');
                            continue;
                        }
                        regex.Append(char.IsLetterOrDigit(member) ? member.ToString() : "\\" + member);
                    }
                    regex.Append(']');
                    i = end;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return regex.ToString();
    }
}
