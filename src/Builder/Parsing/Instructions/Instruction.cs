namespace Images.Builder.Parsing;

/// <summary>
/// One recipe instruction. Values are kept as written (quotes and <c>$VARIABLES</c> unexpanded); the engine
/// expands the fields Docker expands (see each type) with <see cref="ShellWordExpander"/> when it runs the step.
/// </summary>
public abstract record Instruction
{
    /// <summary>Where the instruction keyword starts.</summary>
    public SourcePosition Location { get; init; }

    /// <summary>The last physical line of the instruction, heredoc bodies included.</summary>
    public int EndLine { get; init; }

    /// <summary>The instruction as written, continuations joined (for history's <c>created_by</c>).</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>The keyword in upper case: <c>RUN</c>, <c>COPY</c>...</summary>
    public abstract string Keyword { get; }

    /// <summary>
    /// True for the instructions in whose arguments Docker replaces environment variables (the Dockerfile
    /// reference's "Environment replacement" list: ADD COPY ENV EXPOSE FROM LABEL STOPSIGNAL USER VOLUME
    /// WORKDIR, and ARG defaults). RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK leave that to the shell;
    /// ONBUILD triggers are expanded when they run in the child build.
    /// </summary>
    public virtual bool ExpandsVariables => false;
}

/// <summary>The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD.</summary>
/// <param name="Arguments">Exec form: the JSON array's strings. Shell form: one element, the text as written.</param>
/// <param name="IsShellForm">True when the text was not a JSON array of strings.</param>
public sealed record CommandLine(IReadOnlyList<string> Arguments, bool IsShellForm)
{
    /// <summary>The shell form's text; null for the exec form.</summary>
    public string? ShellText => IsShellForm ? Arguments[0] : null;
}

/// <summary>A <c>key=value</c> pair of ENV or LABEL, both raw (the engine expands and unquotes them).</summary>
public sealed record KeyValue(string Key, string Value);
