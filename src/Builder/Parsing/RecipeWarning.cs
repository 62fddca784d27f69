namespace Images.Builder.Parsing;

/// <summary>Something legal but probably unintended, reported to the user without stopping the build.</summary>
public sealed record RecipeWarning(SourcePosition Position, string Message)
{
    public override string ToString() => $"{Position}: {Message}";
}
