using System.Text.RegularExpressions;

namespace Images.Builder.Parsing;

/// <summary>
/// The second pass: turns one <see cref="LogicalLine"/> into an <see cref="Instruction"/> with the grammar of
/// its keyword, as BuildKit's per-instruction parse functions do.
/// </summary>
internal static partial class InstructionParser
{
    private static readonly HashSet<string> ForbiddenTriggers = new(StringComparer.Ordinal) { "ONBUILD", "FROM", "MAINTAINER" };

    [GeneratedRegex(@"^[a-z][a-z0-9\-_\.]*$")]
    private static partial Regex StageNamePattern();

    /// <summary>The arguments after the keyword and the leading flags.</summary>
    private sealed record Arguments(LogicalLine Line, string Keyword, IReadOnlyList<FlagToken> FlagTokens, int FlagsOffset, int Offset, string Text)
    {
        public RecipeException Error(string reason) => Line.Error(0, reason);

        public RecipeException ErrorAt(int offset, string reason) => Line.Error(offset, reason);

        public FlagSet Flags(FlagSet accepted) => accepted.Read(FlagTokens, Line, FlagsOffset, Keyword);

        public void RequireText()
        {
            if (Text.Length == 0)
            {
                throw Line.Error(0, $"{Keyword} requires at least one argument");
            }
        }

        /// <summary>Words separated by white space, nothing else special (Docker's parseStringsWhitespaceDelimited).</summary>
        public IReadOnlyList<ArgumentWord> Fields()
        {
            var fields = new List<ArgumentWord>();
            int i = 0;
            while (i < Text.Length)
            {
                while (i < Text.Length && char.IsWhiteSpace(Text[i]))
                {
                    i++;
                }
                int start = i;
                while (i < Text.Length && !char.IsWhiteSpace(Text[i]))
                {
                    i++;
                }
                if (i > start)
                {
                    fields.Add(new ArgumentWord(Offset + start, Text[start..i]));
                }
            }
            return fields;
        }

        public IReadOnlyList<ArgumentWord> Words() => ArgumentGrammar.For(Line.Escape).SplitWords(Text, Offset);

        /// <summary>The exec form's strings, or null for the shell form; an array of non-strings is an error.</summary>
        public IReadOnlyList<string>? ExecForm()
        {
            var items = Parsing.ExecForm.TryParse(Text, out bool notStrings);
            return notStrings ? throw Line.Error(Offset, Parsing.ExecForm.NotStringsMessage) : items;
        }
    }

    public static Instruction Parse(LogicalLine line)
    {
        string keywordText = RecipeScanner.Keyword(line.Text);
        string keyword = keywordText.ToUpperInvariant();
        var (flags, restOffset) = ArgumentGrammar.ExtractFlags(line.Text[keywordText.Length..]);
        int offset = keywordText.Length + restOffset;
        var args = new Arguments(line, keyword, flags, keywordText.Length, offset, line.Text[offset..].TrimEnd());
        Instruction instruction = keyword switch
        {
            "FROM" => ParseFrom(args),
            "RUN" => ParseRun(args),
            "CMD" => new CmdInstruction(ParseCommand(args)),
            "ENTRYPOINT" => new EntrypointInstruction(ParseCommand(args)),
            "ENV" => ParseEnv(args),
            "ARG" => ParseArg(args),
            "LABEL" => new LabelInstruction(ParseKeyValues(args, out _)),
            "EXPOSE" => new ExposeInstruction(ParseFields(args)),
            "WORKDIR" => new WorkdirInstruction(ParseString(args)),
            "USER" => new UserInstruction(ParseString(args)),
            "STOPSIGNAL" => new StopSignalInstruction(ParseString(args)),
            "MAINTAINER" => new MaintainerInstruction(ParseString(args)),
            "VOLUME" => ParseVolume(args),
            "SHELL" => ParseShell(args),
            "COPY" => ParseCopy(args),
            "ADD" => ParseAdd(args),
            "HEALTHCHECK" => ParseHealthcheck(args),
            "ONBUILD" => ParseOnbuild(args),
            _ => throw line.Error(0, $"unknown instruction \"{keywordText}\"" + Suggestion(keyword)),
        };
        return instruction with { Location = line.Start, EndLine = line.EndLine, Text = line.Text.TrimEnd() };
    }

    private static readonly string[] Keywords =
    [
        "FROM", "RUN", "CMD", "ENTRYPOINT", "ENV", "ARG", "LABEL", "EXPOSE", "WORKDIR", "USER", "STOPSIGNAL",
        "MAINTAINER", "VOLUME", "SHELL", "COPY", "ADD", "HEALTHCHECK", "ONBUILD",
    ];

    private static string Suggestion(string keyword)
    {
        var best = Keywords.MinBy(k => Distance(k, keyword))!;
        return Distance(best, keyword) <= 2 ? $" (did you mean {best}?)" : string.Empty;
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    private static FromInstruction ParseFrom(Arguments args)
    {
        var flags = args.Flags(new FlagSet().Text("platform"));
        args.RequireText();
        var fields = args.Fields();
        if (fields.Count != 1 && fields.Count != 3)
        {
            throw args.Error($"FROM requires either one argument (an image) or three (image AS name), but got {fields.Count}");
        }
        string? name = null;
        if (fields.Count == 3)
        {
            if (!fields[1].Text.Equals("AS", StringComparison.OrdinalIgnoreCase))
            {
                throw args.ErrorAt(fields[1].Offset, $"expected \"AS\" between the image and the stage name, not \"{fields[1].Text}\"");
            }
            name = fields[2].Text.ToLowerInvariant();
            if (!StageNamePattern().IsMatch(name))
            {
                throw args.ErrorAt(fields[2].Offset,
                    $"invalid stage name \"{fields[2].Text}\": it must start with a letter and contain only letters, digits, '-', '_' and '.'");
            }
        }
        return new FromInstruction(fields[0].Text, name, flags.GetText("platform"));
    }

    private static RunInstruction ParseRun(Arguments args)
    {
        var flags = args.Flags(new FlagSet().List("mount").Text("network").Text("security"));
        string? network = flags.GetText("network");
        if (network is not (null or "default" or "none" or "host"))
        {
            throw args.Error($"invalid --network=\"{network}\" for RUN: use default, none or host");
        }
        string? security = flags.GetText("security");
        if (security is not (null or "sandbox" or "insecure"))
        {
            throw args.Error($"invalid --security=\"{security}\" for RUN: use sandbox or insecure");
        }
        return new RunInstruction(ReadCommand(args), flags.GetList("mount"), network, security, args.Line.Heredocs);
    }

    private static CommandLine ParseCommand(Arguments args)
    {
        args.Flags(new FlagSet());
        return ReadCommand(args);
    }

    private static CommandLine ReadCommand(Arguments args)
    {
        args.RequireText();
        var exec = args.ExecForm();
        return exec is not null ? new CommandLine(exec, IsShellForm: false) : new CommandLine([args.Text], IsShellForm: true);
    }

    private static EnvInstruction ParseEnv(Arguments args)
    {
        var variables = ParseKeyValues(args, out bool legacy);
        return new EnvInstruction(variables, legacy);
    }

    /// <summary>Docker's parseNameVal: <c>key=value ...</c>, or <c>key value</c> when the first word has no '='.</summary>
    private static IReadOnlyList<KeyValue> ParseKeyValues(Arguments args, out bool legacy)
    {
        args.Flags(new FlagSet());
        args.RequireText();
        var words = args.Words();
        var pairs = new List<KeyValue>();
        legacy = !words[0].Text.Contains('=');
        if (legacy)
        {
            int split = 0;
            while (split < args.Text.Length && !char.IsWhiteSpace(args.Text[split]))
            {
                split++;
            }
            string value = args.Text[split..].TrimStart();
            if (value.Length == 0)
            {
                throw args.ErrorAt(args.Offset,
                    $"{args.Keyword} \"{args.Text}\" has no value: write {args.Keyword} {args.Text}=value (or {args.Keyword} {args.Text} value)");
            }
            pairs.Add(new KeyValue(args.Text[..split], value));
            return pairs;
        }
        foreach (var word in words)
        {
            int equals = word.Text.IndexOf('=');
            if (equals < 0)
            {
                throw args.ErrorAt(word.Offset, $"can't find = in \"{word.Text}\": {args.Keyword} arguments must be of the form name=value");
            }
            if (equals == 0)
            {
                throw args.ErrorAt(word.Offset, $"{args.Keyword} names can not be blank: \"{word.Text}\" has nothing before '='");
            }
            pairs.Add(new KeyValue(word.Text[..equals], word.Text[(equals + 1)..]));
        }
        return pairs;
    }

    private static ArgInstruction ParseArg(Arguments args)
    {
        args.Flags(new FlagSet());
        args.RequireText();
        var declarations = new List<ArgDeclaration>();
        foreach (var word in args.Words())
        {
            int equals = word.Text.IndexOf('=');
            string name = equals < 0 ? word.Text : word.Text[..equals];
            if (name.Length == 0)
            {
                throw args.ErrorAt(word.Offset, $"ARG names can not be blank: \"{word.Text}\" has nothing before '='");
            }
            declarations.Add(new ArgDeclaration(name, equals < 0 ? null : word.Text[(equals + 1)..]));
        }
        return new ArgInstruction(declarations);
    }

    private static IReadOnlyList<string> ParseFields(Arguments args)
    {
        args.Flags(new FlagSet());
        args.RequireText();
        return args.Fields().Select(f => f.Text).ToList();
    }

    private static string ParseString(Arguments args)
    {
        args.Flags(new FlagSet());
        args.RequireText();
        return args.Text;
    }

    /// <summary>Docker's parseMaybeJSONToList: a JSON array of strings, or white-space separated words.</summary>
    private static (IReadOnlyList<ArgumentWord> Items, bool IsExecForm) ParseList(Arguments args)
    {
        args.RequireText();
        var exec = args.ExecForm();
        return exec is not null
            ? (exec.Select(item => new ArgumentWord(args.Offset, item)).ToList(), true)
            : (args.Fields(), false);
    }

    private static VolumeInstruction ParseVolume(Arguments args)
    {
        args.Flags(new FlagSet());
        var (items, _) = ParseList(args);
        var paths = new List<string>();
        foreach (var item in items)
        {
            string path = item.Text.Trim();
            if (path.Length == 0)
            {
                throw args.ErrorAt(item.Offset, "VOLUME specified can not be an empty string");
            }
            paths.Add(path);
        }
        if (paths.Count == 0)
        {
            throw args.Error("VOLUME requires at least one path");
        }
        return new VolumeInstruction(paths);
    }

    private static ShellInstruction ParseShell(Arguments args)
    {
        args.Flags(new FlagSet());
        args.RequireText();
        var exec = args.ExecForm()
            ?? throw args.ErrorAt(args.Offset, "SHELL requires the arguments to be in JSON form, e.g. SHELL [\"/bin/sh\", \"-c\"]");
        if (exec.Count == 0)
        {
            throw args.ErrorAt(args.Offset, "SHELL requires at least one argument: the shell's executable");
        }
        return new ShellInstruction(exec);
    }

    private static (IReadOnlyList<CopySource> Sources, string Destination, bool IsExecForm) ParseTransfer(Arguments args)
    {
        var (items, isExecForm) = ParseList(args);
        if (items.Count < 2)
        {
            throw args.Error($"{args.Keyword} requires at least two arguments (source... destination), but only {items.Count} was given");
        }
        var heredocs = args.Line.Heredocs;
        var sources = items.Take(items.Count - 1)
            .Select(item => new CopySource(item.Text, isExecForm ? null : heredocs.FirstOrDefault(h => h.Marker == item.Text)))
            .ToList();
        return (sources, items[^1].Text, isExecForm);
    }

    private static CopyInstruction ParseCopy(Arguments args)
    {
        var flags = args.Flags(new FlagSet().Text("from").Text("chown").Text("chmod").Boolean("link").Boolean("parents").List("exclude"));
        var (sources, destination, isExecForm) = ParseTransfer(args);
        return new CopyInstruction(sources, destination, flags.GetText("from"), flags.GetText("chown"), flags.GetText("chmod"),
            flags.GetBoolean("link"), flags.GetBoolean("parents"), flags.GetList("exclude"), isExecForm);
    }

    private static AddInstruction ParseAdd(Arguments args)
    {
        var flags = args.Flags(new FlagSet().Text("chown").Text("chmod").Boolean("link").Text("checksum").Boolean("keep-git-dir").List("exclude"));
        var (sources, destination, isExecForm) = ParseTransfer(args);
        return new AddInstruction(sources, destination, flags.GetText("chown"), flags.GetText("chmod"), flags.GetBoolean("link"),
            flags.GetText("checksum"), flags.GetBoolean("keep-git-dir"), flags.GetList("exclude"), isExecForm);
    }

    private static HealthcheckInstruction ParseHealthcheck(Arguments args)
    {
        var flags = args.Flags(new FlagSet().Text("interval").Text("timeout").Text("start-period").Text("start-interval").Text("retries"));
        args.RequireText();
        var fields = args.Fields();
        string type = fields[0].Text.ToUpperInvariant();
        if (type == "NONE")
        {
            if (fields.Count > 1)
            {
                throw args.ErrorAt(fields[1].Offset, "HEALTHCHECK NONE takes no arguments");
            }
            return new HealthcheckInstruction(null, null, null, null, null, null);
        }
        if (type != "CMD")
        {
            throw args.ErrorAt(fields[0].Offset, $"unknown type \"{fields[0].Text}\" in HEALTHCHECK: use HEALTHCHECK CMD command, or HEALTHCHECK NONE");
        }
        int commandStart = fields[0].Offset - args.Offset + fields[0].Text.Length;
        string command = args.Text[commandStart..].Trim();
        if (command.Length == 0)
        {
            throw args.ErrorAt(fields[0].Offset, "missing command after HEALTHCHECK CMD");
        }
        var test = ReadCommand(args with { Text = command });
        int? retries = null;
        if (flags.GetText("retries") is { } retriesText)
        {
            if (!int.TryParse(retriesText, System.Globalization.NumberStyles.AllowLeadingSign, null, out int value) || value < 0)
            {
                throw args.Error($"invalid --retries=\"{retriesText}\" for HEALTHCHECK: it must be a whole number, 0 or more");
            }
            retries = value;
        }
        return new HealthcheckInstruction(test, Duration(args, flags, "interval"), Duration(args, flags, "timeout"),
            Duration(args, flags, "start-period"), Duration(args, flags, "start-interval"), retries);
    }

    private static TimeSpan? Duration(Arguments args, FlagSet flags, string name)
    {
        if (flags.GetText(name) is not { } text)
        {
            return null;
        }
        var duration = ArgumentGrammar.TryParseDuration(text)
            ?? throw args.Error($"invalid duration \"{text}\" for HEALTHCHECK --{name}: write it as Go does, e.g. 30s, 1m30s, 500ms");
        if (duration != TimeSpan.Zero && duration < TimeSpan.FromMilliseconds(1))
        {
            throw args.Error($"HEALTHCHECK --{name}=\"{text}\" cannot be less than 1ms (or 0 for the default)");
        }
        return duration;
    }

    private static OnbuildInstruction ParseOnbuild(Arguments args)
    {
        args.Flags(new FlagSet());
        args.RequireText();
        string trigger = RecipeScanner.Keyword(args.Text).ToUpperInvariant();
        if (ForbiddenTriggers.Contains(trigger))
        {
            throw args.ErrorAt(args.Offset, $"{trigger} isn't allowed as an ONBUILD trigger");
        }
        var nested = Parse(args.Line.Slice(args.Offset));
        return new OnbuildInstruction(nested, args.Text);
    }
}
