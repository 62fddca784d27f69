namespace Images.Builder.Parsing;

/// <summary><c>CMD</c>: the default command or, with an ENTRYPOINT, its default arguments.</summary>
public sealed record CmdInstruction(CommandLine Command) : Instruction
{
    public override string Keyword => "CMD";
}
