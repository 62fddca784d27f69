namespace Images.Builder.Parsing;

/// <summary>
/// <c>RUN [--mount=...] [--network=...] [--security=...] command</c>. The command is not expanded by the
/// builder; flag values are. <see cref="Heredocs"/> hold the bodies of <c>&lt;&lt;EOF</c> markers in the command.
/// </summary>
public sealed record RunInstruction(
    CommandLine Command,
    IReadOnlyList<string> Mounts,
    string? Network,
    string? Security,
    IReadOnlyList<Heredoc> Heredocs) : Instruction
{
    public override string Keyword => "RUN";
}
