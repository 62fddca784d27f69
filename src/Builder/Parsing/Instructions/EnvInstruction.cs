namespace Images.Builder.Parsing;

/// <summary>
/// <c>ENV key=value ...</c> or the legacy <c>ENV key value</c> (the value is the rest of the line). Values are
/// raw; each is expanded with the environment as it stands before this instruction.
/// </summary>
public sealed record EnvInstruction(IReadOnlyList<KeyValue> Variables, bool IsLegacyForm) : Instruction
{
    public override string Keyword => "ENV";

    public override bool ExpandsVariables => true;
}
