using Images.Builder.Parsing;

namespace Images.Builder.Tests;

public sealed class RecipeScannerTests
{
    private static IReadOnlyList<Instruction> Body(string text) => RecipeParser.Parse(text).Stages[^1].Instructions;

    [Fact]
    public void DirectivesAreReadAtTheTopOnly()
    {
        var recipe = RecipeParser.Parse("# syntax=docker/dockerfile:1\n# ESCAPE = `\n# check=skip=all\nFROM scratch\n");
        Assert.Equal('`', recipe.Directives.EscapeChar);
        Assert.Equal("docker/dockerfile:1", recipe.Directives.Syntax);
        Assert.Equal("skip=all", recipe.Directives.Check);
    }

    [Fact]
    public void DirectiveAfterACommentOrInstructionIsAComment()
    {
        Assert.Equal('\\', RecipeParser.Parse("# hello\n# escape=`\nFROM scratch\n").Directives.EscapeChar);
        Assert.Equal('\\', RecipeParser.Parse("FROM scratch\n# escape=`\n").Directives.EscapeChar);
        Assert.Equal('\\', RecipeParser.Parse("\n# escape=`\nFROM scratch\n").Directives.EscapeChar);
        // An unknown directive ends the directives as a comment would.
        Assert.Equal('\\', RecipeParser.Parse("# foo=bar\n# escape=`\nFROM scratch\n").Directives.EscapeChar);
    }

    [Fact]
    public void BacktickEscapeContinuesLinesAndLeavesBackslashesAlone()
    {
        var run = Assert.IsType<RunInstruction>(Body("# escape=`\nFROM scratch\nRUN dir c:\\ `\n  && echo hi\n").Single());
        Assert.Equal("dir c:\\   && echo hi", run.Command.ShellText);
    }

    [Theory]
    [InlineData("FROM scratch\nRUN echo hi \\\n")]
    [InlineData("FROM scratch\nRUN echo hi \\\n\n# comment\n")]
    public void AContinuationAtTheEndOfTheRecipeEndsTheInstructionAsDockerDoes(string text)
    {
        var run = Assert.IsType<RunInstruction>(Body(text).Single());
        Assert.Equal("echo hi", run.Command.ShellText!.TrimEnd());
    }

    [Fact]
    public void ContinuationsDropCommentAndBlankLines()
    {
        var text = "FROM scratch\nRUN echo a \\\n# a comment\n\n   \n    # indented comment\n  b \\\n  c\n";
        var recipe = RecipeParser.Parse(text);
        var run = Assert.IsType<RunInstruction>(recipe.Stages[0].Instructions.Single());
        Assert.Equal("echo a   b   c", run.Command.ShellText);
        Assert.Equal(new SourcePosition(2, 1), run.Location);
        Assert.Equal(8, run.EndLine);
        Assert.Single(recipe.Warnings, w => w.Message.Contains("empty continuation line"));
    }

    [Fact]
    public void ContinuationSwallowsTheNextInstructionAsDockerDoes()
    {
        var run = Assert.IsType<RunInstruction>(Body("FROM scratch\nRUN \\\n  \n# c\n\nCMD x\n").Single());
        Assert.Equal("CMD x", run.Command.ShellText);
    }

    [Fact]
    public void ContinuationAllowsTrailingSpacesAfterTheEscape()
    {
        var run = Assert.IsType<RunInstruction>(Body("FROM scratch\nRUN a \\  \t\nb\n").Single());
        Assert.Equal("a b", run.Command.ShellText);
    }

    [Fact]
    public void CommentsBlankLinesIndentationAndCrlfAreHandled()
    {
        var body = Body("\uFEFF# comment\r\n\r\n   FROM scratch\r\n\t# other\r\n  \tLABEL a=b\r\n");
        var label = Assert.IsType<LabelInstruction>(body.Single());
        Assert.Equal(new SourcePosition(5, 4), label.Location);
        Assert.Equal(new KeyValue("a", "b"), label.Labels.Single());
    }

    [Fact]
    public void InstructionKeepsItsOriginalText()
    {
        var run = Body("FROM scratch\nRUN --network=none echo \\\n  hi   \n").Single();
        Assert.Equal("RUN --network=none echo   hi", run.Text);
        Assert.Equal("RUN", run.Keyword);
    }

    [Fact]
    public void HeredocBodyFollowsTheInstruction()
    {
        var body = Body("FROM scratch\nRUN <<EOF\necho $HOME\n  # not a comment \\\n\nEOF\nRUN true\n");
        var run = Assert.IsType<RunInstruction>(body[0]);
        var heredoc = Assert.Single(run.Heredocs);
        Assert.Equal("EOF", heredoc.Name);
        Assert.Equal("echo $HOME\n  # not a comment \\\n\n", heredoc.Content);
        Assert.True(heredoc.Expand);
        Assert.False(heredoc.StripTabs);
        Assert.Equal(new SourcePosition(2, 5), heredoc.Position);
        Assert.Equal("<<EOF", run.Command.ShellText);
        Assert.Equal(6, run.EndLine);
        Assert.Equal("true", Assert.IsType<RunInstruction>(body[1]).Command.ShellText);
    }

    [Fact]
    public void SeveralHeredocsPerInstructionAreReadInOrder()
    {
        var run = Assert.IsType<RunInstruction>(Body("FROM scratch\nRUN 3<<A cat /dev/fd/3 - <<-\"B\"\na1\nA\n\t\tb1\n\tb2\n\tB\n").Single());
        Assert.Equal(2, run.Heredocs.Count);
        Assert.Equal(("A", "a1\n", true, false, (int?)3), (run.Heredocs[0].Name, run.Heredocs[0].Content, run.Heredocs[0].Expand, run.Heredocs[0].StripTabs, run.Heredocs[0].FileDescriptor));
        Assert.Equal(("B", "b1\nb2\n", false, true, (int?)null), (run.Heredocs[1].Name, run.Heredocs[1].Content, run.Heredocs[1].Expand, run.Heredocs[1].StripTabs, run.Heredocs[1].FileDescriptor));
        Assert.Equal("<<-\"B\"", run.Heredocs[1].Marker);
    }

    [Fact]
    public void SingleQuotedDelimiterDisablesExpansion()
    {
        var run = Assert.IsType<RunInstruction>(Body("FROM scratch\nRUN python3 <<'PY'\nprint('$x')\nPY\n").Single());
        Assert.False(run.Heredocs.Single().Expand);
        Assert.Equal("print('$x')\n", run.Heredocs.Single().Content);
    }

    [Fact]
    public void WithoutDashTabsStayAndTheTerminatorMustBeExact()
    {
        var run = Assert.IsType<RunInstruction>(Body("FROM scratch\nRUN <<EOF\n\tx\n\tEOF\nEOF \nEOF\n").Single());
        Assert.Equal("\tx\n\tEOF\nEOF \n", run.Heredocs.Single().Content);
    }

    [Fact]
    public void CopyHeredocsBecomeSources()
    {
        var copy = Assert.IsType<CopyInstruction>(Body("FROM scratch\nCOPY --chmod=755 <<one <<two /dest/\nfirst\none\nsecond\ntwo\n").Single());
        Assert.Equal(["<<one", "<<two"], copy.Sources.Select(s => s.Path));
        Assert.Equal(["first\n", "second\n"], copy.Sources.Select(s => s.Heredoc!.Content));
        Assert.Equal("/dest/", copy.Destination);
        Assert.Equal("755", copy.Chmod);
    }

    [Fact]
    public void HeredocMarkersAreNotSeenInExecFormOrQuotesOrOtherInstructions()
    {
        var body = Body("FROM scratch\nRUN [\"cat\", \"<<EOF\"]\nRUN echo \"<<EOF\"\nLABEL x=<<EOF\n");
        Assert.Empty(Assert.IsType<RunInstruction>(body[0]).Heredocs);
        Assert.Empty(Assert.IsType<RunInstruction>(body[1]).Heredocs);
        Assert.Equal(3, body.Count);
    }
}
