using Images.Builder.Parsing;

namespace Images.Builder.Tests;

public sealed class RecipeErrorTests
{
    private static RecipeException Fails(string text) => Assert.Throws<RecipeException>(() => RecipeParser.Parse(text));

    [Fact]
    public void UnknownInstructionNamesFileLineColumnAndShowsTheLine()
    {
        var error = Fails("FROM scratch\n\n     RUNN echo hi\n");
        Assert.Equal((3, 6), (error.Line, error.Column));
        Assert.Equal("     RUNN echo hi", error.LineText);
        Assert.Equal("Dockerfile:3:6: unknown instruction \"RUNN\" (did you mean RUN?)\n         RUNN echo hi\n         ^", error.Message);
    }

    [Fact]
    public void FileNameIsTheOneGiven()
    {
        var error = Assert.Throws<RecipeException>(() => RecipeParser.Parse("FROM scratch\nBOGUS\n", "build/Containerfile"));
        Assert.StartsWith("build/Containerfile:2:1: unknown instruction \"BOGUS\"", error.Message);
    }

    [Theory]
    [InlineData("FROM scratch\nRUN\n", 2, 1, "RUN requires at least one argument")]
    [InlineData("FROM scratch\nRUN   \n", 2, 1, "RUN requires at least one argument")]
    [InlineData("FROM scratch\nCOPY onlyone\n", 2, 1, "COPY requires at least two arguments")]
    [InlineData("FROM scratch\nCOPY --form=x a b\n", 2, 6, "unknown flag --form for COPY")]
    [InlineData("FROM scratch\nCOPY --link=maybe a b\n", 2, 6, "expecting a boolean value")]
    [InlineData("FROM scratch\nCOPY --from a b\n", 2, 6, "missing a value on flag --from")]
    [InlineData("FROM scratch\nCOPY --from=a --from=b a b\n", 2, 15, "duplicate flag --from")]
    [InlineData("FROM scratch\nWORKDIR --x /a\n", 2, 9, "unknown flag --x for WORKDIR (it takes no flags)")]
    [InlineData("FROM scratch\nRUN --network=bridge x\n", 2, 1, "invalid --network=\"bridge\"")]
    [InlineData("FROM scratch\nENV A=1 B\n", 2, 9, "can't find = in \"B\"")]
    [InlineData("FROM scratch\nENV =1\n", 2, 5, "ENV names can not be blank")]
    [InlineData("FROM scratch\nENV ONLYKEY\n", 2, 5, "ENV \"ONLYKEY\" has no value")]
    [InlineData("FROM scratch\nLABEL a=b \\\n   c\n", 3, 4, "can't find = in \"c\"")]
    [InlineData("FROM scratch\nARG =x\n", 2, 5, "ARG names can not be blank")]
    [InlineData("FROM scratch\nSHELL /bin/sh -c\n", 2, 7, "SHELL requires the arguments to be in JSON form")]
    [InlineData("FROM scratch\nVOLUME [\"\"]\n", 2, 8, "VOLUME specified can not be an empty string")]
    [InlineData("FROM scratch\nHEALTHCHECK NONE extra\n", 2, 18, "HEALTHCHECK NONE takes no arguments")]
    [InlineData("FROM scratch\nHEALTHCHECK RUN x\n", 2, 13, "unknown type \"RUN\" in HEALTHCHECK")]
    [InlineData("FROM scratch\nHEALTHCHECK --retries=3 CMD\n", 2, 25, "missing command after HEALTHCHECK CMD")]
    [InlineData("FROM scratch\nHEALTHCHECK --interval=5 CMD x\n", 2, 1, "invalid duration \"5\" for HEALTHCHECK --interval")]
    [InlineData("FROM scratch\nHEALTHCHECK --timeout=10us CMD x\n", 2, 1, "cannot be less than 1ms")]
    [InlineData("FROM scratch\nHEALTHCHECK --retries=-1 CMD x\n", 2, 1, "invalid --retries=\"-1\"")]
    [InlineData("FROM scratch\nONBUILD ONBUILD RUN x\n", 2, 9, "ONBUILD isn't allowed as an ONBUILD trigger")]
    [InlineData("FROM scratch\nONBUILD from alpine\n", 2, 9, "FROM isn't allowed as an ONBUILD trigger")]
    [InlineData("FROM scratch\nONBUILD MAINTAINER me\n", 2, 9, "MAINTAINER isn't allowed as an ONBUILD trigger")]
    [InlineData("FROM scratch\nONBUILD   RUNX y\n", 2, 11, "unknown instruction \"RUNX\"")]
    [InlineData("FROM scratch\nONBUILD COPY --bad=1 a b\n", 2, 14, "unknown flag --bad for COPY")]
    [InlineData("FROM scratch\nCMD  [\"a\", 1]\n", 2, 6, "arrays must be comprised of strings only")]
    [InlineData("FROM scratch\nCOPY [\"a\", null, \"b\"]\n", 2, 6, "arrays must be comprised of strings only")]
    [InlineData("FROM a b\n", 1, 1, "FROM requires either one argument (an image) or three (image AS name), but got 2")]
    [InlineData("FROM a IS b\n", 1, 8, "expected \"AS\"")]
    [InlineData("FROM a AS 1st\n", 1, 11, "invalid stage name \"1st\"")]
    [InlineData("FROM a AS x\nFROM b AS X\n", 2, 1, "duplicate stage name \"x\"")]
    [InlineData("ARG A\nRUN x\nFROM a\n", 2, 1, "RUN comes before the first FROM")]
    [InlineData("# only a comment\nARG A\n", 2, 1, "the recipe has no FROM instruction")]
    [InlineData("", 1, 1, "the recipe has no FROM instruction")]
    [InlineData("# escape=x\nFROM a\n", 1, 10, "invalid escape directive value \"x\"")]
    [InlineData("# escape=\\\n#escape=`\nFROM a\n", 2, 2, "only one \"escape\" parser directive")]
    [InlineData("FROM scratch\nRUN cat <<A <<B\nbody\nA\nno end\n", 2, 13, "unterminated heredoc \"B\"")]
    [InlineData("FROM scratch\nCOPY <<-EOF /x\n\tbody\n", 2, 6, "unterminated heredoc \"EOF\"")]
    public void MalformedRecipesPointAtTheirError(string text, int line, int column, string reason)
    {
        var error = Fails(text);
        Assert.Contains(reason, error.Reason);
        Assert.Equal(new SourcePosition(line, column), error.Position);
        Assert.StartsWith($"Dockerfile:{line}:{column}: ", error.Message);
    }

    [Fact]
    public void CaretLinesUpUnderTabs()
    {
        var error = Fails("FROM scratch\n\t\tBOGUS x\n");
        Assert.Equal((2, 3), (error.Line, error.Column));
        Assert.EndsWith("\n    \t\tBOGUS x\n    \t\t^", error.Message);
    }
}
