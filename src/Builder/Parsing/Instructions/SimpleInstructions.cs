namespace Images.Builder.Parsing;

/// <summary><c>WORKDIR path</c>: the whole rest of the line, expanded; relative paths join the previous WORKDIR.</summary>
public sealed record WorkdirInstruction(string Path) : Instruction
{
    public override string Keyword => "WORKDIR";

    public override bool ExpandsVariables => true;
}

/// <summary><c>USER user[:group]</c>, expanded.</summary>
public sealed record UserInstruction(string User) : Instruction
{
    public override string Keyword => "USER";

    public override bool ExpandsVariables => true;
}

/// <summary><c>STOPSIGNAL signal</c>, expanded (a name such as <c>SIGTERM</c> or a number).</summary>
public sealed record StopSignalInstruction(string Signal) : Instruction
{
    public override string Keyword => "STOPSIGNAL";

    public override bool ExpandsVariables => true;
}

/// <summary><c>MAINTAINER name</c> (deprecated): sets the image's author, not expanded.</summary>
public sealed record MaintainerInstruction(string Maintainer) : Instruction
{
    public override string Keyword => "MAINTAINER";
}

/// <summary><c>VOLUME ["/a", "/b"]</c> or <c>VOLUME /a /b</c>; each path expanded.</summary>
public sealed record VolumeInstruction(IReadOnlyList<string> Paths) : Instruction
{
    public override string Keyword => "VOLUME";

    public override bool ExpandsVariables => true;
}

/// <summary><c>SHELL ["executable", "parameters"]</c>: the shell later shell forms run in (JSON form only).</summary>
public sealed record ShellInstruction(IReadOnlyList<string> Shell) : Instruction
{
    public override string Keyword => "SHELL";
}
