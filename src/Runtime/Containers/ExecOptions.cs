namespace Images.Runtime.Containers;

/// <summary>`images exec` options: the command, and env/workdir/user over the container's own.</summary>
public sealed record ExecOptions
{
    public required IReadOnlyList<string> Cmd { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
}
