namespace Images.Builder.Parsing;

/// <summary>
/// <c>FROM [--platform=p] image [AS name]</c>. <see cref="Image"/> is expanded with the global ARGs only;
/// after expansion it is <c>scratch</c>, the name of an earlier stage, or an image reference.
/// </summary>
public sealed record FromInstruction(string Image, string? StageName, string? Platform) : Instruction
{
    public override string Keyword => "FROM";

    public override bool ExpandsVariables => true;
}
