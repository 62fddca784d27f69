namespace Images.Builder.Context;

/// <summary>
/// The rules of a <c>.dockerignore</c> file, applied as Docker applies them: lines starting with <c>#</c> are
/// comments, patterns are trimmed and cleaned (<c>filepath.Clean</c>, leading <c>/</c> dropped), <c>!</c> makes an
/// exception, the last matching line wins, and a path is excluded when it or one of its parent directories is.
/// </summary>
public sealed class DockerIgnore
{
    private readonly IgnoreRule[] _rules;

    private DockerIgnore(IgnoreRule[] rules) => _rules = rules;

    /// <summary>No rules: everything is sent.</summary>
    public static DockerIgnore Empty { get; } = new([]);

    /// <summary>The rules in file order.</summary>
    public IReadOnlyList<IgnoreRule> Rules => _rules;

    /// <summary>The name of the ignore file at the context root.</summary>
    public const string FileName = ".dockerignore";

    /// <summary>Parses the text of a <c>.dockerignore</c> file; a malformed pattern is a <see cref="FormatException"/> naming its line.</summary>
    public static DockerIgnore Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }
        var patterns = new List<IgnoreRule>();
        var lines = text.Split('\n');
        for (int number = 1; number <= lines.Length; number++)
        {
            string line = lines[number - 1];
            if (line.StartsWith('#'))
            {
                continue;
            }
            string pattern = line.Trim();
            if (pattern.Length == 0)
            {
                continue;
            }
            bool exception = pattern[0] == '!';
            if (exception)
            {
                pattern = pattern[1..].Trim();
                if (pattern.Length == 0)
                {
                    throw new FormatException($".dockerignore line {number}: illegal exclusion pattern \"!\": write !path to re-include a path");
                }
            }
            try
            {
                patterns.Add(new IgnoreRule(PathPattern.Create(ContextPath.Relative(pattern), allowDoubleStar: true), exception));
            }
            catch (FormatException error)
            {
                throw new FormatException($".dockerignore line {number}: {error.Message}; fix or remove the line", error);
            }
        }
        return new DockerIgnore(patterns.ToArray());
    }

    /// <summary>
    /// True when the file or directory at <paramref name="path"/> (relative to the context root, any of
    /// <c>a/b</c>, <c>/a/b</c>, <c>./a//b</c>) is not sent to the build.
    /// </summary>
    public bool IsExcluded(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string cleaned = ContextPath.Relative(path);
        if (cleaned == ".")
        {
            return false;
        }
        var parents = cleaned.Split('/')[..^1];
        bool excluded = false;
        foreach (var pattern in _rules)
        {
            // Only a rule that could change the answer is worth evaluating.
            if (pattern.IsException != excluded)
            {
                continue;
            }
            bool match = pattern.Pattern.Matches(cleaned);
            for (int i = 1; !match && i <= parents.Length; i++)
            {
                match = pattern.Pattern.Matches(string.Join('/', parents[..i]));
            }
            if (match)
            {
                excluded = !pattern.IsException;
            }
        }
        return excluded;
    }

    /// <summary>
    /// True when the directory at <paramref name="directory"/> is excluded and no exception could re-include
    /// anything under it, so a context walk need not descend into it.
    /// </summary>
    public bool CanSkipDirectory(string directory)
    {
        if (!IsExcluded(directory))
        {
            return false;
        }
        string cleaned = ContextPath.Relative(directory);
        return !_rules.Any(p => p.IsException && p.Pattern.MayMatchUnder(cleaned));
    }

    /// <summary>
    /// These rules plus exceptions for <paramref name="paths"/> that they would exclude: the recipe and the
    /// <c>.dockerignore</c> file are always sent, as Docker's client does.
    /// </summary>
    public DockerIgnore WithAlwaysSent(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var patterns = _rules.ToList();
        foreach (string path in paths)
        {
            string cleaned = ContextPath.Relative(path);
            if (IsExcluded(cleaned))
            {
                string escaped = string.Concat(cleaned.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? "\\" + c : c.ToString()));
                patterns.Add(new IgnoreRule(PathPattern.Create(escaped, allowDoubleStar: true), IsException: true));
            }
        }
        return new DockerIgnore(patterns.ToArray());
    }
}

/// <summary>One line of a <c>.dockerignore</c> file: a pattern, and whether it re-includes (<c>!pattern</c>).</summary>
public sealed record IgnoreRule(PathPattern Pattern, bool IsException)
{
    public override string ToString() => IsException ? "!" + Pattern.Pattern : Pattern.Pattern;
}
