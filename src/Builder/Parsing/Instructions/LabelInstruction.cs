namespace Images.Builder.Parsing;

/// <summary><c>LABEL key=value ...</c> (or legacy <c>LABEL key value</c>); keys and values raw.</summary>
public sealed record LabelInstruction(IReadOnlyList<KeyValue> Labels) : Instruction
{
    public override string Keyword => "LABEL";

    public override bool ExpandsVariables => true;
}
