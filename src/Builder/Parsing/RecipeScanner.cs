using System.Text;
using System.Text.RegularExpressions;

namespace Images.Builder.Parsing;

/// <summary>
/// The first pass over a recipe, as BuildKit's line scanner: parser directives at the top, comments, blank
/// lines, line continuations (comment and blank lines inside a continuation are dropped) and heredoc bodies.
/// Produces one <see cref="LogicalLine"/> per instruction; the instruction grammars run on those.
/// </summary>
internal static partial class RecipeScanner
{
    private static readonly HashSet<string> HeredocInstructions = new(StringComparer.OrdinalIgnoreCase) { "RUN", "COPY", "ADD" };

    [GeneratedRegex(@"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")]
    private static partial Regex DirectivePattern();

    [GeneratedRegex(@"^(\d*)<<(-?)([^<]+)$")]
    private static partial Regex HeredocMarkerPattern();

    public static IReadOnlyList<LogicalLine> Scan(RecipeSource source, List<RecipeWarning> warnings)
    {
        source.Directives = ReadDirectives(source);
        char escape = source.Directives.EscapeChar;
        var lines = source.Lines;
        var result = new List<LogicalLine>();
        for (int i = 0; i < lines.Count; i++)
        {
            string first = lines[i];
            int indent = LeadingWhiteSpace(first);
            if (indent == first.Length || first[indent] == '#')
            {
                continue;
            }
            var text = new StringBuilder();
            var segments = new List<(int Offset, int Line, int Column)>();
            int startLine = i + 1;
            int continuationColumn = AppendSegment(first, indent, i + 1, escape, text, segments);
            int continuationLine = i + 1;
            bool emptyContinuation = false;
            while (continuationColumn > 0)
            {
                // Docker ends the instruction at the end of the recipe, as if the escape were not there.
                if (i + 1 >= lines.Count) break;
                i++;
                string next = lines[i];
                int nextIndent = LeadingWhiteSpace(next);
                if (nextIndent == next.Length)
                {
                    emptyContinuation = true;
                    continue;
                }
                if (next[nextIndent] == '#')
                {
                    continue;
                }
                continuationColumn = AppendSegment(next, 0, i + 1, escape, text, segments);
                continuationLine = i + 1;
            }
            var line = new LogicalLine(source, text.ToString(), segments, i + 1);
            if (emptyContinuation)
            {
                warnings.Add(new RecipeWarning(line.Start,
                    $"empty continuation line inside the instruction starting on line {startLine}; a future Docker version may reject it"));
            }
            if (HeredocInstructions.Contains(Keyword(line.Text)))
            {
                line.Heredocs = ReadHeredocs(source, line, ref i);
                line.EndLine = i + 1;
            }
            result.Add(line);
        }
        return result;
    }

    /// <summary>The instruction keyword: the text up to the first white space.</summary>
    public static string Keyword(string text)
    {
        int end = 0;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }
        return text[..end];
    }

    private static int LeadingWhiteSpace(string line)
    {
        int n = 0;
        while (n < line.Length && char.IsWhiteSpace(line[n]))
        {
            n++;
        }
        return n;
    }

    /// <summary>
    /// Appends <paramref name="line"/> from <paramref name="start"/>; returns the 1-based column of a trailing
    /// escape character (the line continues) or 0.
    /// </summary>
    private static int AppendSegment(string line, int start, int lineNumber, char escape, StringBuilder text, List<(int, int, int)> segments)
    {
        int end = line.Length;
        while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        {
            end--;
        }
        int continuation = 0;
        if (end > start && line[end - 1] == escape)
        {
            continuation = end;
            end--;
        }
        else
        {
            end = line.Length;
        }
        segments.Add((text.Length, lineNumber, start + 1));
        text.Append(line, start, end - start);
        return continuation;
    }

    private static ParserDirectives ReadDirectives(RecipeSource source)
    {
        var directives = ParserDirectives.Default;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < source.Lines.Count; i++)
        {
            var match = DirectivePattern().Match(source.Lines[i]);
            if (!match.Success)
            {
                break;
            }
            string name = match.Groups[1].Value.ToLowerInvariant();
            string value = match.Groups[2].Value;
            if (name is not ("escape" or "syntax" or "check"))
            {
                // An unknown directive is a comment, and ends the directives as any comment does.
                break;
            }
            if (!seen.Add(name))
            {
                throw source.Error(new SourcePosition(i + 1, match.Groups[1].Index + 1),
                    $"only one \"{name}\" parser directive can be used; remove the repeated one");
            }
            directives = name switch
            {
                "escape" when value is "\\" or "`" => directives with { EscapeChar = value[0] },
                "escape" => throw source.Error(new SourcePosition(i + 1, match.Groups[2].Index + 1),
                    $"invalid escape directive value \"{value}\": the escape character must be ` or \\"),
                "syntax" => directives with { Syntax = value },
                _ => directives with { Check = value },
            };
        }
        return directives;
    }

    private static IReadOnlyList<Heredoc> ReadHeredocs(RecipeSource source, LogicalLine line, ref int lineIndex)
    {
        string keyword = Keyword(line.Text);
        var (_, restOffset) = ArgumentGrammar.ExtractFlags(line.Text[keyword.Length..]);
        int argsOffset = keyword.Length + restOffset;
        string args = line.Text[argsOffset..];
        if (ExecForm.TryParse(args, out _) is not null)
        {
            return [];
        }
        var heredocs = new List<Heredoc>();
        foreach (var word in ArgumentGrammar.For(line.Escape).SplitWords(args, argsOffset))
        {
            var match = HeredocMarkerPattern().Match(word.Text);
            if (!match.Success)
            {
                continue;
            }
            var (name, quoted) = Unquote(match.Groups[3].Value, line.Escape);
            if (name.Length == 0)
            {
                continue;
            }
            bool stripTabs = match.Groups[2].Value == "-";
            int? descriptor = match.Groups[1].Value.Length > 0 ? int.Parse(match.Groups[1].Value) : null;
            var position = line.PositionOf(word.Offset);
            var body = new StringBuilder();
            bool terminated = false;
            while (lineIndex + 1 < source.Lines.Count)
            {
                lineIndex++;
                string bodyLine = source.Lines[lineIndex];
                if (stripTabs)
                {
                    bodyLine = bodyLine.TrimStart('\t');
                }
                if (bodyLine == name)
                {
                    terminated = true;
                    break;
                }
                body.Append(bodyLine).Append('\n');
            }
            if (!terminated)
            {
                throw source.Error(position,
                    $"unterminated heredoc \"{name}\": no line reading exactly \"{name}\" ends it; add one after the heredoc's body");
            }
            heredocs.Add(new Heredoc(name, body.ToString(), !quoted, stripTabs, descriptor, word.Text, position));
        }
        return heredocs;
    }

    private static readonly IReadOnlyDictionary<string, string?> NoVariables = new Dictionary<string, string?>();

    /// <summary>
    /// Removes quotes and escapes from a heredoc delimiter as Docker does (its shell lexer, with no variables);
    /// a delimiter that changes, being quoted or escaped, turns expansion of the body off.
    /// </summary>
    private static (string Name, bool Quoted) Unquote(string delimiter, char escape)
    {
        try
        {
            string name = new ShellWordExpander(escape).ExpandWord(delimiter, NoVariables);
            return (name, name != delimiter);
        }
        catch (WordExpansionException)
        {
            return (string.Empty, false);
        }
    }
}
