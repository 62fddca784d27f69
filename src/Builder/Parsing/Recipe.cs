namespace Images.Builder.Parsing;

/// <summary>
/// A parsed recipe (Dockerfile): its directives, the ARGs declared before the first FROM (visible to FROM lines
/// only), and its stages in order. Build the image of the last stage unless a target stage is named.
/// </summary>
public sealed record Recipe(
    string FileName,
    ParserDirectives Directives,
    IReadOnlyList<ArgInstruction> GlobalArgs,
    IReadOnlyList<Stage> Stages,
    IReadOnlyList<RecipeWarning> Warnings)
{
    /// <summary>The recipe's physical lines (index 0 is line 1), for errors found while building.</summary>
    public IReadOnlyList<string> SourceLines { get; init; } = [];

    /// <summary>
    /// An error at <paramref name="position"/> of this recipe, for problems found while building (an expansion
    /// error, a stage that does not exist): <c>Dockerfile:7:1: reason</c> and the line.
    /// </summary>
    public RecipeException ErrorAt(SourcePosition position, string reason)
    {
        string text = position.Line >= 1 && position.Line <= SourceLines.Count ? SourceLines[position.Line - 1] : string.Empty;
        return new RecipeException(FileName, position, text, reason);
    }

    /// <summary>
    /// Build arguments Docker accepts without an ARG instruction (the proxy variables). They are passed to RUN
    /// but kept out of the image's history and never reported as unused.
    /// </summary>
    public static IReadOnlyList<string> PredefinedArgs { get; } =
    [
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
        "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    ];

    /// <summary>The ARG names FROM lines may use: the global ARGs, in order, each once.</summary>
    public IReadOnlyList<string> GlobalArgNames =>
        GlobalArgs.SelectMany(a => a.Arguments).Select(a => a.Name).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Every name declared by some ARG, global or in a stage.</summary>
    public IReadOnlySet<string> DeclaredArgNames =>
        GlobalArgs.Concat(Stages.SelectMany(s => s.Instructions).OfType<ArgInstruction>())
            .SelectMany(a => a.Arguments).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The <c>--build-arg</c> names no ARG declares (Docker's "[Warning] One or more build-args ... were not
    /// consumed"), in the order given. Pass the stages actually built for an exact answer; all by default.
    /// </summary>
    public IReadOnlyList<string> UnusedBuildArgs(IEnumerable<string> buildArgNames, IEnumerable<Stage>? builtStages = null)
    {
        ArgumentNullException.ThrowIfNull(buildArgNames);
        var declared = GlobalArgs.Concat((builtStages ?? Stages).SelectMany(s => s.Instructions).OfType<ArgInstruction>())
            .SelectMany(a => a.Arguments).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        return buildArgNames.Where(n => !declared.Contains(n) && !PredefinedArgs.Contains(n)).Distinct().ToList();
    }

    /// <summary>
    /// The stage a name refers to: an <c>AS</c> name (case-insensitive) or a 0-based index, as in
    /// <c>COPY --from=</c>, <c>FROM name</c> and <c>--target</c>. With <paramref name="before"/>, only stages
    /// defined before that index count (a stage can only use earlier ones). Null when there is none: the name
    /// then refers to an image.
    /// </summary>
    public Stage? FindStage(string nameOrIndex, int? before = null)
    {
        ArgumentNullException.ThrowIfNull(nameOrIndex);
        var candidates = Stages.Take(before ?? Stages.Count).ToList();
        var named = candidates.FirstOrDefault(s => string.Equals(s.Name, nameOrIndex, StringComparison.OrdinalIgnoreCase));
        if (named is not null)
        {
            return named;
        }
        return int.TryParse(nameOrIndex, System.Globalization.NumberStyles.None, null, out int index) && index < candidates.Count
            ? candidates[index]
            : null;
    }
}
