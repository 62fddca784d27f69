namespace Images.Builder.Parsing;

/// <summary>
/// One instruction as the scanner assembled it: its physical lines joined (continuations removed), the heredoc
/// bodies that followed it, and a map from offsets in the joined text back to physical lines and columns.
/// </summary>
internal sealed class LogicalLine
{
    private readonly RecipeSource _source;
    private readonly IReadOnlyList<(int Offset, int Line, int Column)> _segments;

    public LogicalLine(RecipeSource source, string text, IReadOnlyList<(int Offset, int Line, int Column)> segments, int endLine)
    {
        _source = source;
        Text = text;
        _segments = segments;
        EndLine = endLine;
    }

    /// <summary>The joined text, starting at the instruction keyword.</summary>
    public string Text { get; }

    public int EndLine { get; set; }

    public IReadOnlyList<Heredoc> Heredocs { get; set; } = [];

    public char Escape => _source.Directives.EscapeChar;

    public SourcePosition Start => PositionOf(0);

    public SourcePosition PositionOf(int offset)
    {
        var segment = _segments[0];
        foreach (var candidate in _segments)
        {
            if (candidate.Offset > offset)
            {
                break;
            }
            segment = candidate;
        }
        return new SourcePosition(segment.Line, segment.Column + offset - segment.Offset);
    }

    public RecipeException Error(int offset, string reason) => _source.Error(PositionOf(offset), reason);

    /// <summary>A line made of <paramref name="offset"/>.. of this one, for instructions nested in ONBUILD.</summary>
    public LogicalLine Slice(int offset)
    {
        var segments = new List<(int Offset, int Line, int Column)>();
        var first = PositionOf(offset);
        segments.Add((0, first.Line, first.Column));
        foreach (var segment in _segments)
        {
            if (segment.Offset > offset)
            {
                segments.Add((segment.Offset - offset, segment.Line, segment.Column));
            }
        }
        return new LogicalLine(_source, Text[offset..], segments, EndLine) { Heredocs = Heredocs };
    }
}
