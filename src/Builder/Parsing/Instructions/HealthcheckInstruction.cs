namespace Images.Builder.Parsing;

/// <summary>
/// <c>HEALTHCHECK NONE</c> (<see cref="Disabled"/>, <see cref="Test"/> null) or
/// <c>HEALTHCHECK [--interval=d] [--timeout=d] [--start-period=d] [--start-interval=d] [--retries=n] CMD command</c>.
/// Unset options are null (the runtime's defaults apply).
/// </summary>
public sealed record HealthcheckInstruction(
    CommandLine? Test,
    TimeSpan? Interval,
    TimeSpan? Timeout,
    TimeSpan? StartPeriod,
    TimeSpan? StartInterval,
    int? Retries) : Instruction
{
    public override string Keyword => "HEALTHCHECK";

    public bool Disabled => Test is null;
}
