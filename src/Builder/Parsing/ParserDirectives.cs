namespace Images.Builder.Parsing;

/// <summary>
/// The parser directives found at the top of a recipe (<c># escape=`</c>, <c># syntax=...</c>, <c># check=...</c>).
/// <c>syntax</c> and <c>check</c> are recorded and otherwise ignored: this builder has one frontend.
/// </summary>
public sealed record ParserDirectives(char EscapeChar, string? Syntax, string? Check)
{
    public static ParserDirectives Default { get; } = new('\\', null, null);
}
