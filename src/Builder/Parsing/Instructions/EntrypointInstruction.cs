namespace Images.Builder.Parsing;

/// <summary><c>ENTRYPOINT</c>: the command the container runs (exec form) or a shell runs (shell form).</summary>
public sealed record EntrypointInstruction(CommandLine Command) : Instruction
{
    public override string Keyword => "ENTRYPOINT";
}
