using Images.Builder.Parsing;

namespace Images.Builder.Tests;

public sealed class ArgScopingTests
{
    private const string Text = """
        ARG VERSION=3.19
        ARG REGISTRY
        FROM ${REGISTRY:-docker.io}/alpine:${VERSION} AS base
        RUN echo $VERSION
        ARG VERSION
        ARG USER=app TAG
        RUN echo $VERSION $USER
        FROM base
        ARG OTHER=1
        RUN true
        """;

    [Fact]
    public void GlobalArgsAreThoseBeforeTheFirstFrom()
    {
        var recipe = RecipeParser.Parse(Text);
        Assert.Equal(["VERSION", "REGISTRY"], recipe.GlobalArgNames);
        Assert.Equal(new ArgDeclaration("VERSION", "3.19"), recipe.GlobalArgs[0].Arguments.Single());
        Assert.Equal(new ArgDeclaration("REGISTRY", null), recipe.GlobalArgs[1].Arguments.Single());
        Assert.Equal("${REGISTRY:-docker.io}/alpine:${VERSION}", recipe.Stages[0].From.Image);
    }

    [Fact]
    public void AStageSeesOnlyArgsItDeclaredSoFar()
    {
        var stage = RecipeParser.Parse(Text).Stages[0];
        Assert.Empty(stage.ArgsVisibleAt(0));
        Assert.Equal(["VERSION"], stage.ArgsVisibleAt(2));
        Assert.Equal(["VERSION", "USER", "TAG"], stage.ArgsVisibleAt(3));
        Assert.Equal(["VERSION", "USER", "TAG"], stage.ArgsVisibleAt(stage.Instructions.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => stage.ArgsVisibleAt(stage.Instructions.Count + 1));
    }

    [Fact]
    public void ArgsDoNotCrossStages()
    {
        var second = RecipeParser.Parse(Text).Stages[1];
        Assert.Empty(second.ArgsVisibleAt(0));
        Assert.Equal(["OTHER"], second.ArgsVisibleAt(1));
    }

    [Fact]
    public void UnusedBuildArgsAreTheUndeclaredOnes()
    {
        var recipe = RecipeParser.Parse(Text);
        Assert.Equal(["NOPE"], recipe.UnusedBuildArgs(["VERSION", "NOPE", "OTHER", "http_proxy", "TAG"]));
        // Building only the first stage: OTHER is then not consumed.
        Assert.Equal(["OTHER"], recipe.UnusedBuildArgs(["OTHER", "USER"], [recipe.Stages[0]]));
        Assert.Equal(new HashSet<string> { "VERSION", "REGISTRY", "USER", "TAG", "OTHER" }, recipe.DeclaredArgNames);
    }

    [Fact]
    public void ErrorsFoundWhileBuildingPointIntoTheRecipe()
    {
        var recipe = RecipeParser.Parse(Text);
        var run = recipe.Stages[0].Instructions[0];
        var error = recipe.ErrorAt(run.Location, "boom");
        Assert.Equal("Dockerfile:4:1: boom\n    RUN echo $VERSION\n    ^", error.Message);
    }
}
