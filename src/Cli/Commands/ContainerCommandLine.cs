namespace Images.Cli.Commands;

/// <summary>
/// Docker's rule for run, create and exec: everything after the image (or container) is the container's command,
/// even tokens that look like our options (<c>images run IMAGE ls -v</c>). System.CommandLine has no such rule, so
/// a "--" is put after that argument before parsing.
/// </summary>
internal static class ContainerCommandLine
{
    private static readonly HashSet<string> Verbs = ["run", "create", "exec"];

    /// <summary>Options (global or of those verbs) that take a value as the next token.</summary>
    private static readonly HashSet<string> WithValue =
    [
        "--root", "--driver", "--log-level",
        "-e", "--env", "--env-file", "-w", "--workdir", "-u", "--user", "--entrypoint", "--hostname",
        "--network", "-v", "--volume", "--name", "--runtime",
    ];

    public static string[] SeparateCommand(string[] args)
    {
        int i = 0;
        string? verb = null;
        for (; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--") return args;
            if (a.StartsWith('-'))
            {
                if (WithValue.Contains(a)) i++;
                continue;
            }
            if (verb is null)
            {
                if (!Verbs.Contains(a)) return args;
                verb = a;
                continue;
            }
            // The first positional after the verb: the image or container. The command starts after it.
            if (i + 1 < args.Length && args[i + 1] != "--")
                return [.. args[..(i + 1)], "--", .. args[(i + 1)..]];
            return args;
        }
        return args;
    }
}
