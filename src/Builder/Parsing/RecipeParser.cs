namespace Images.Builder.Parsing;

/// <summary>
/// Parses a recipe (Dockerfile) into a <see cref="Recipe"/>: a line scanner first (directives, comments,
/// continuations, heredocs), then one grammar per instruction. Errors are <see cref="RecipeException"/>s that
/// point at the file, line and column.
/// </summary>
public static class RecipeParser
{
    public static Recipe Parse(string text, string fileName = "Dockerfile")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        var source = new RecipeSource(fileName, text);
        var warnings = new List<RecipeWarning>();
        var lines = RecipeScanner.Scan(source, warnings);

        var globalArgs = new List<ArgInstruction>();
        var stages = new List<Stage>();
        FromInstruction? from = null;
        var body = new List<Instruction>();
        foreach (var line in lines)
        {
            var instruction = InstructionParser.Parse(line);
            switch (instruction)
            {
                case FromInstruction next:
                    if (from is not null)
                    {
                        stages.Add(new Stage(stages.Count, from.StageName, from, body.ToList()));
                    }
                    if (next.StageName is not null && (stages.Any(s => s.Name == next.StageName)))
                    {
                        throw source.Error(next.Location, $"duplicate stage name \"{next.StageName}\": each FROM ... AS name must be unique");
                    }
                    if (next.StageName is "scratch" or "context")
                    {
                        warnings.Add(new RecipeWarning(next.Location, $"stage name \"{next.StageName}\" is reserved and may be confused with the special image or context of that name; rename the stage"));
                    }
                    from = next;
                    body.Clear();
                    break;
                case ArgInstruction arg when from is null:
                    globalArgs.Add(arg);
                    break;
                case MaintainerInstruction:
                    warnings.Add(new RecipeWarning(instruction.Location, "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors=..."));
                    goto default;
                default:
                    if (from is null)
                    {
                        throw source.Error(instruction.Location,
                            $"{instruction.Keyword} comes before the first FROM: only ARG and parser directives may precede FROM");
                    }
                    body.Add(instruction);
                    break;
            }
        }
        if (from is null)
        {
            int line = Math.Max(1, source.Lines.Count);
            throw source.Error(new SourcePosition(line, 1), "the recipe has no FROM instruction: a build needs at least one stage (FROM image)");
        }
        stages.Add(new Stage(stages.Count, from.StageName, from, body.ToList()));
        return new Recipe(fileName, source.Directives, globalArgs, stages, warnings) { SourceLines = source.Lines };
    }
}
