namespace Images.Builder.Parsing;

/// <summary>
/// <c>ONBUILD instruction</c>: a trigger stored in the image (as <see cref="TriggerText"/>) and run, parsed
/// again, when the image is used as a base. <see cref="Trigger"/> is the parsed trigger, checked now.
/// </summary>
public sealed record OnbuildInstruction(Instruction Trigger, string TriggerText) : Instruction
{
    public override string Keyword => "ONBUILD";
}
