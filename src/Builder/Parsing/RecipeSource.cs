namespace Images.Builder.Parsing;

/// <summary>A recipe's physical lines and its name, for turning positions into <see cref="RecipeException"/>s.</summary>
internal sealed class RecipeSource
{
    public RecipeSource(string fileName, string text)
    {
        FileName = fileName;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].EndsWith('\r'))
            {
                lines[i] = lines[i][..^1];
            }
        }
        // A final line break does not start another line.
        Lines = text.EndsWith('\n') ? lines[..^1] : lines;
    }

    public string FileName { get; }

    /// <summary>The physical lines, without line breaks; index 0 is line 1.</summary>
    public IReadOnlyList<string> Lines { get; }

    public ParserDirectives Directives { get; set; } = ParserDirectives.Default;

    public RecipeException Error(SourcePosition position, string reason)
    {
        string text = position.Line >= 1 && position.Line <= Lines.Count ? Lines[position.Line - 1] : string.Empty;
        return new RecipeException(FileName, position, text, reason);
    }
}
