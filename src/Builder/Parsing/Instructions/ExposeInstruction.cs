namespace Images.Builder.Parsing;

/// <summary>
/// <c>EXPOSE port[/protocol] ...</c>. Each raw word is expanded with <see cref="ShellWordExpander.ExpandWords"/>
/// (a variable may hold several ports) and then read with <see cref="PortSpec.Parse"/>.
/// </summary>
public sealed record ExposeInstruction(IReadOnlyList<string> Ports) : Instruction
{
    public override string Keyword => "EXPOSE";

    public override bool ExpandsVariables => true;
}
