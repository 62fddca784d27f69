namespace Images.Builder.Parsing;

/// <summary>A place in a recipe file: 1-based line and column (columns count UTF-16 characters).</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
