using Images.Builder.Parsing;

namespace Images.Builder.Tests;

public sealed class ShellWordExpanderTests
{
    private static readonly Dictionary<string, string?> Env = new()
    {
        ["NAME"] = "world",
        ["EMPTY"] = "",
        ["UNSET_ARG"] = null,
        ["SPACED"] = "a  b c",
        ["PATHV"] = "/usr/local/lib/file.tar.gz",
        ["_x1"] = "under",
    };

    private static readonly ShellWordExpander Backslash = new();
    private static readonly ShellWordExpander Backtick = new('`');

    [Theory]
    [InlineData("hello", "hello")]
    [InlineData("$NAME", "world")]
    [InlineData("${NAME}", "world")]
    [InlineData("x$NAME.y", "xworld.y")]
    [InlineData("$_x1-$NAMEs-${NAME}s", "under--worlds")]
    [InlineData("$MISSING|${MISSING}|$UNSET_ARG", "||")]
    [InlineData("$", "$")]
    [InlineData("a$ b", "a$ b")]
    [InlineData("$1x", "x")]
    [InlineData("${MISSING:-def}|${EMPTY:-def}|${NAME:-def}|${UNSET_ARG:-def}", "def|def|world|def")]
    [InlineData("${MISSING-def}|${EMPTY-def}|${NAME-def}|${UNSET_ARG-def}", "def||world|def")]
    [InlineData("${MISSING:+alt}|${EMPTY:+alt}|${NAME:+alt}", "||alt")]
    [InlineData("${MISSING+alt}|${EMPTY+alt}|${NAME+alt}", "|alt|alt")]
    [InlineData("${MISSING:-$NAME}", "world")]
    [InlineData("${MISSING:-${EMPTY:-deep}}", "deep")]
    [InlineData("${MISSING:-'a b'\"c\"}", "a bc")]
    [InlineData("${NAME:?must be set}", "world")]
    [InlineData("${PATHV#*/}", "usr/local/lib/file.tar.gz")]
    [InlineData("${PATHV##*/}", "file.tar.gz")]
    [InlineData("${PATHV%.*}", "/usr/local/lib/file.tar")]
    [InlineData("${PATHV%%.*}", "/usr/local/lib/file")]
    [InlineData("${PATHV#/usr}", "/local/lib/file.tar.gz")]
    [InlineData("${PATHV#nomatch}", "/usr/local/lib/file.tar.gz")]
    [InlineData("${PATHV/l/L}", "/usr/Local/lib/file.tar.gz")]
    [InlineData("${PATHV//l/L}", "/usr/LocaL/Lib/fiLe.tar.gz")]
    [InlineData("${PATHV//[a-f]}", "/usr/lol/li/il.tr.gz")]
    [InlineData("${NAME#?}", "orld")]
    [InlineData("${NAME%[!x]}", "worl")]
    [InlineData("'$NAME'", "$NAME")]
    [InlineData("\"$NAME\"", "world")]
    [InlineData("\"a 'b' $NAME\"", "a 'b' world")]
    [InlineData("'a \"b\"'", "a \"b\"")]
    [InlineData("\\$NAME", "$NAME")]
    [InlineData("\\${NAME}", "${NAME}")]
    [InlineData("a\\ b\\\\c\\", "a b\\c")]
    [InlineData("\"\\$NAME \\\" \\\\ \\n\"", "$NAME \" \\ \\n")]
    [InlineData("'\\$NAME'", "\\$NAME")]
    [InlineData("$NAME$NAME", "worldworld")]
    [InlineData("${SPACED}", "a  b c")]
    public void ExpandsAsDockerDoes(string word, string expected)
    {
        Assert.Equal(expected, Backslash.ExpandWord(word, Env));
    }

    [Theory]
    [InlineData("`$NAME", "$NAME")]
    [InlineData("c:\\dir\\$NAME", "c:\\dir\\world")]
    [InlineData("\"`\"`$x\\\"", "\"$x\\")]
    [InlineData("a` b", "a b")]
    public void BacktickEscapeDirective(string word, string expected)
    {
        Assert.Equal(expected, Backtick.ExpandWord(word, Env));
    }

    [Theory]
    [InlineData("'open", "single-quote")]
    [InlineData("\"open", "double-quote")]
    [InlineData("${NAME", "missing '}'")]
    [InlineData("${NAME:-x", "matching }")]
    [InlineData("${}", "bad substitution")]
    [InlineData("${NAME^}", "unsupported modifier (^)")]
    [InlineData("${NAME:=x}", "unsupported modifier (=)")]
    [InlineData("${MISSING:?is required}", "MISSING: is required")]
    [InlineData("${EMPTY:?}", "EMPTY: is not allowed to be unset or empty")]
    [InlineData("${UNSET_ARG?}", "UNSET_ARG: is not allowed to be unset")]
    public void ErrorsNameTheWordAndCause(string word, string reason)
    {
        var error = Assert.Throws<WordExpansionException>(() => Backslash.ExpandWord(word, Env));
        Assert.Equal(word, error.Word);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void EmptyButSetPassesTheNonColonCheck()
    {
        Assert.Equal("", Backslash.ExpandWord("${EMPTY?}", Env));
    }

    [Fact]
    public void ExpandWordsSplitsUnquotedWhiteSpaceIncludingFromVariables()
    {
        Assert.Equal(["a", "b", "c", "x"], Backslash.ExpandWords("$SPACED x", Env));
        Assert.Equal(["a  b c", "x y"], Backslash.ExpandWords("\"$SPACED\" 'x y'", Env));
        Assert.Equal(["80/tcp", "443"], Backslash.ExpandWords("  ${PORTS:-80/tcp 443}  ", Env));
        Assert.Equal(["a b", "c"], Backslash.ExpandWords("a\\ b   c", Env));
        Assert.Equal(["", "x"], Backslash.ExpandWords("'' x", Env));
        Assert.Empty(Backslash.ExpandWords("$MISSING   ", Env));
    }

    [Fact]
    public void ReportsTheVariablesAWordUses()
    {
        var used = new HashSet<string>();
        Backslash.ExpandWord("$NAME ${MISSING:-$EMPTY} '$NOT' \\$NOR", Env, used);
        Assert.Equal(new HashSet<string> { "NAME", "MISSING", "EMPTY" }, used);
    }

    [Fact]
    public void OnlyBackslashOrBacktickMayEscape()
    {
        Assert.Throws<ArgumentException>(() => new ShellWordExpander('^'));
    }

    [Fact]
    public void RecipeValuesExpandToWhatDockerStores()
    {
        var recipe = RecipeParser.Parse("FROM scratch\nENV A=\"hello world\" B=${NAME}\\ x C='$NAME'\nENV LEGACY \"quoted\" $NAME\n");
        var env = (EnvInstruction)recipe.Stages[0].Instructions[0];
        var legacy = (EnvInstruction)recipe.Stages[0].Instructions[1];
        Assert.Equal(["hello world", "world x", "$NAME"], env.Variables.Select(v => Backslash.ExpandWord(v.Value, Env)));
        Assert.Equal("quoted world", Backslash.ExpandWord(legacy.Variables[0].Value, Env));
    }

    [Fact]
    public void EscapeDirectiveReachesWordsAndExpansion()
    {
        var recipe = RecipeParser.Parse("# escape=`\nFROM scratch\nENV DIR=c:\\tools X=a` b Y=`$NAME\nWORKDIR ${DIR}\\bin\n");
        var expander = new ShellWordExpander(recipe.Directives.EscapeChar);
        var env = (EnvInstruction)recipe.Stages[0].Instructions[0];
        Assert.Equal(["c:\\tools", "a b", "$NAME"], env.Variables.Select(v => expander.ExpandWord(v.Value, Env)));
        var workdir = (WorkdirInstruction)recipe.Stages[0].Instructions[1];
        Assert.Equal("c:\\tools\\bin", expander.ExpandWord(workdir.Path, new Dictionary<string, string?> { ["DIR"] = "c:\\tools" }));
    }
}
