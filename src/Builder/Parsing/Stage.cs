namespace Images.Builder.Parsing;

/// <summary>A build stage: its FROM and the instructions up to the next FROM.</summary>
/// <param name="Index">0-based position among the stages (<c>COPY --from=0</c>).</param>
/// <param name="Name">The <c>AS</c> name, lower-cased as Docker compares them; null when unnamed.</param>
public sealed record Stage(int Index, string? Name, FromInstruction From, IReadOnlyList<Instruction> Instructions)
{
    /// <summary>
    /// The ARG names visible to the instruction at <paramref name="instructionIndex"/> (an index into
    /// <see cref="Instructions"/>): those declared by the stage's earlier ARG instructions, in order, each once.
    /// Global ARGs are not among them unless redeclared: that is Docker's scoping rule.
    /// </summary>
    public IReadOnlyList<string> ArgsVisibleAt(int instructionIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(instructionIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(instructionIndex, Instructions.Count);
        var names = new List<string>();
        foreach (var instruction in Instructions.Take(instructionIndex))
        {
            if (instruction is ArgInstruction arg)
            {
                names.AddRange(arg.Arguments.Select(a => a.Name).Where(n => !names.Contains(n)));
            }
        }
        return names;
    }
}
