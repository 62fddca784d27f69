namespace Images.Builder.Engine;

/// <summary>What to build and how (the <c>images build</c> options).</summary>
public sealed record BuildOptions
{
    /// <summary>The build context directory.</summary>
    public required string ContextDirectory { get; init; }

    /// <summary>The recipe text (the CLI reads <c>-f</c> or stdin).</summary>
    public required string RecipeText { get; init; }

    /// <summary>The recipe's name in messages, and its path relative to the context for the ignore rules.</summary>
    public string RecipeName { get; init; } = "Dockerfile";

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>Labels added to the image's config after the recipe's own.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The stage to stop at (name or index); null builds the last stage.</summary>
    public string? Target { get; init; }

    /// <summary>Ignore the build cache (results are still recorded in it).</summary>
    public bool NoCache { get; init; }

    /// <summary>SOURCE_DATE_EPOCH: layer mtimes and the config and history timestamps are clamped to it.</summary>
    public DateTimeOffset? SourceDateEpoch { get; init; }

    /// <summary>The process runtime RUN steps use.</summary>
    public string Runtime { get; init; } = "builtin";
}
