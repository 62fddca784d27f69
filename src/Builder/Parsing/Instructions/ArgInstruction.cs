namespace Images.Builder.Parsing;

/// <summary>One name declared by ARG, with its raw default value (null when it has none).</summary>
public sealed record ArgDeclaration(string Name, string? DefaultValue);

/// <summary>
/// <c>ARG name[=default] ...</c>. Before the first FROM it declares a global ARG (usable in FROM lines);
/// inside a stage it makes a build argument visible from here to the end of the stage. A stage sees a global
/// ARG only by declaring it again, without a default to inherit the global value.
/// </summary>
public sealed record ArgInstruction(IReadOnlyList<ArgDeclaration> Arguments) : Instruction
{
    public override string Keyword => "ARG";

    public override bool ExpandsVariables => true;
}
