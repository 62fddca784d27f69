using Sprache;

namespace Images.Builder.Parsing;

/// <summary>A word of an instruction's arguments and the offset where it starts in the logical line.</summary>
internal readonly record struct ArgumentWord(int Offset, string Text);

/// <summary>A <c>--name[=value]</c> flag token, its quotes and escapes already removed.</summary>
internal readonly record struct FlagToken(int Offset, string Name, string? Value);

/// <summary>
/// Sprache grammars for the pieces instruction arguments are made of. Words keep their quotes and escape
/// characters (they are removed later, when the word is expanded), exactly as Docker splits
/// <c>ENV</c>, <c>LABEL</c> and <c>ARG</c> arguments. One instance per escape character.
/// </summary>
internal sealed class ArgumentGrammar
{
    /// <summary>Succeeds without consuming anything and yields the current offset.</summary>
    internal static readonly Parser<int> Offset = input => Result.Success(input.Position, input);

    private static readonly Parser<string> AtEnd = Parse.Return(string.Empty).End();

    private static readonly Parser<IEnumerable<char>> Spaces = Parse.Char(char.IsWhiteSpace, "white space").Many();

    private readonly Parser<IEnumerable<ArgumentWord>> _words;

    private ArgumentGrammar(char escape)
    {
        Escape = escape;
        // An escape and the character it escapes are both kept; an escape at the very end is dropped.
        Parser<string> escapedPair =
            from e in Parse.Char(escape)
            from c in Parse.AnyChar
            select string.Concat(e, c);
        Parser<string> trailingEscape = Parse.Char(escape).Then(_ => AtEnd);
        Parser<string> escapeSequence = escapedPair.Or(trailingEscape);

        Parser<string> doubleQuoted =
            from open in Parse.Char('"')
            from body in escapeSequence.Or(Parse.CharExcept('"').Once().Text()).Many()
            from close in Parse.Char('"').Optional()
            select "\"" + string.Concat(body) + (close.IsDefined ? "\"" : string.Empty);
        Parser<string> singleQuoted =
            from open in Parse.Char('\'')
            from body in Parse.CharExcept('\'').Many().Text()
            from close in Parse.Char('\'').Optional()
            select "'" + body + (close.IsDefined ? "'" : string.Empty);
        Parser<string> plain = Parse.Char(c => !char.IsWhiteSpace(c) && c != '"' && c != '\'' && c != escape, "word character")
            .AtLeastOnce().Text();

        Word = singleQuoted.Or(doubleQuoted).Or(escapeSequence).Or(plain).AtLeastOnce().Select(string.Concat);
        Parser<ArgumentWord> positioned = from start in Offset from text in Word select new ArgumentWord(start, text);
        _words = (from leading in Spaces from word in positioned select word).Many()
            .Then(words => Spaces.Return(words)).End();
    }

    public char Escape { get; }

    /// <summary>One word: quoted strings, escaped characters and plain characters up to unquoted white space.</summary>
    public Parser<string> Word { get; }

    public static ArgumentGrammar For(char escape) => escape == '`' ? Backtick : Backslash;

    /// <summary>Splits <paramref name="text"/> into words at unquoted white space; offsets are relative to <paramref name="baseOffset"/>.</summary>
    public IReadOnlyList<ArgumentWord> SplitWords(string text, int baseOffset = 0)
    {
        var result = _words.Parse(text);
        return result.Where(w => w.Text.Length > 0).Select(w => w with { Offset = w.Offset + baseOffset }).ToList();
    }

    // Flag words follow Docker's own rules, which are independent of the escape directive: quotes are removed,
    // a backslash escapes the next character, and a lone "--" ends the flags.
    private static readonly Parser<string> FlagCharacters =
        Parse.Char('"').Then(_ => Parse.CharExcept('"').Or(Parse.Char('\\').Then(_ => Parse.AnyChar)).Many().Text()
                .Then(body => Parse.Char('"').Optional().Return(body)))
            .Or(Parse.Char('\'').Then(_ => Parse.CharExcept('\'').Many().Text()
                .Then(body => Parse.Char('\'').Optional().Return(body))))
            .Or(Parse.Char('\\').Then(_ => Parse.AnyChar.Once().Text().Or(AtEnd)))
            .Or(Parse.Char(c => !char.IsWhiteSpace(c) && c != '"' && c != '\'' && c != '\\', "flag character").Once().Text());

    private static readonly Parser<(int Offset, string Text)> FlagWord =
        from start in Offset
        from dashes in Parse.String("--")
        from body in FlagCharacters.Many()
        select (start, "--" + string.Concat(body));

    /// <summary>
    /// Takes the leading <c>--flag</c> words off <paramref name="text"/>; returns them and the offset (in
    /// <paramref name="text"/>) where the remaining arguments start.
    /// </summary>
    public static (IReadOnlyList<FlagToken> Flags, int RestOffset) ExtractFlags(string text)
    {
        var flags = new List<FlagToken>();
        IInput input = new Input(text);
        while (true)
        {
            var spaces = Spaces(input);
            input = spaces.Remainder;
            if (input.AtEnd || !text.AsSpan(input.Position).StartsWith("--", StringComparison.Ordinal))
            {
                return (flags, input.Position);
            }
            var word = FlagWord(input);
            input = word.Remainder;
            var (offset, raw) = word.Value;
            if (raw == "--" && (input.AtEnd || char.IsWhiteSpace(input.Current)))
            {
                return (flags, input.Position);
            }
            string body = raw[2..];
            int equals = body.IndexOf('=');
            flags.Add(equals < 0
                ? new FlagToken(offset, body, null)
                : new FlagToken(offset, body[..equals], body[(equals + 1)..]));
        }
    }

    /// <summary>Go's <c>time.ParseDuration</c> grammar: an optional sign then number-unit pairs, or a bare 0.</summary>
    private static readonly Parser<double> DurationPart =
        from number in Parse.Number.Then(whole => Parse.Char('.').Then(_ => Parse.Digit.Many().Text()).Optional()
                .Select(frac => whole + (frac.IsDefined ? "." + frac.Get() : string.Empty)))
            .Or(Parse.Char('.').Then(_ => Parse.Number).Select(frac => "0." + frac))
        from unit in Parse.String("ns").Or(Parse.String("us")).Or(Parse.String("µs")).Or(Parse.String("μs"))
            .Or(Parse.String("ms")).Or(Parse.String("s")).Or(Parse.String("m")).Or(Parse.String("h")).Text()
        select double.Parse(number, System.Globalization.CultureInfo.InvariantCulture) * unit switch
        {
            "ns" => 1e-9,
            "us" or "µs" or "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            _ => 3600.0,
        };

    private static readonly Parser<TimeSpan> Duration =
        Parse.String("0").End().Return(TimeSpan.Zero)
            .Or(from sign in Parse.Chars('+', '-').Optional()
                from parts in DurationPart.AtLeastOnce()
                select TimeSpan.FromTicks((long)Math.Round(parts.Sum() * TimeSpan.TicksPerSecond) * (sign.GetOrElse('+') == '-' ? -1 : 1)))
            .End();

    /// <summary>Parses a duration such as <c>30s</c>, <c>1m30s</c> or <c>1.5h</c>; null when it is not one.</summary>
    public static TimeSpan? TryParseDuration(string text)
    {
        var result = Duration.TryParse(text);
        return result.WasSuccessful ? result.Value : null;
    }

    // Declared last: static fields initialise in order, and these use the parsers above.
    private static readonly ArgumentGrammar Backslash = new('\\');
    private static readonly ArgumentGrammar Backtick = new('`');
}
