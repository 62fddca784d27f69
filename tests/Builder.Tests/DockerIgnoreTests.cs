using Images.Builder.Context;

namespace Images.Builder.Tests;

public sealed class DockerIgnoreTests
{
    // The example in Docker's ".dockerignore file" documentation.
    private const string DocsExample = "# comment\n*/temp*\n*/*/temp*\ntemp?\n";

    [Theory]
    [InlineData("somedir/temporary.txt", true)]
    [InlineData("somedir/temp", true)]
    [InlineData("somedir/temp/inside/file", true)]
    [InlineData("somedir/subdir/temporary.txt", true)]
    [InlineData("somedir/subdir/temp", true)]
    [InlineData("tempa", true)]
    [InlineData("tempb", true)]
    [InlineData("temp", false)]
    [InlineData("tempab", false)]
    [InlineData("temporary.txt", false)]
    [InlineData("a/b/c/temporary.txt", false)]
    [InlineData("# comment", false)]
    public void DocumentationExample(string path, bool excluded)
    {
        Assert.Equal(excluded, DockerIgnore.Parse(DocsExample).IsExcluded(path));
    }

    [Theory]
    // ** matches any number of directories, none included.
    [InlineData("**/*.go", "main.go", true)]
    [InlineData("**/*.go", "a/b/c/main.go", true)]
    [InlineData("**/*.go", "a/main.go.txt", false)]
    [InlineData("a/**/b", "a/b", true)]
    [InlineData("a/**/b", "a/x/y/b", true)]
    [InlineData("a/**/b", "a/x/y/bb", false)]
    [InlineData("a/**", "a/x/y", true)]
    [InlineData("a/**", "ab", false)]
    [InlineData("**", "anything/at/all", true)]
    // * and ? do not cross directories.
    [InlineData("*", "top", true)]
    [InlineData("*", "dir/file", true)]
    [InlineData("*.txt", "dir/file.txt", false)]
    [InlineData("d?r/f", "dir/f", true)]
    [InlineData("d?r/f", "d/r/f", false)]
    // Classes, negation, ranges and escapes as Go's filepath.Match.
    [InlineData("file[0-9].log", "file7.log", true)]
    [InlineData("file[0-9].log", "filex.log", false)]
    [InlineData("file[^0-9].log", "filex.log", true)]
    [InlineData("file[^0-9].log", "file7.log", false)]
    [InlineData("[ab]c", "bc", true)]
    [InlineData("[ab]c", "/", false)]
    [InlineData("\\*star", "*star", true)]
    [InlineData("\\*star", "xstar", false)]
    [InlineData("a.b", "axb", false)]
    [InlineData("a+(b)", "a+(b)", true)]
    // Patterns and paths are cleaned; a leading slash is dropped.
    [InlineData("/foo/bar", "foo/bar", true)]
    [InlineData("./foo//bar/", "foo/bar/x", true)]
    [InlineData("foo/../bar", "bar", true)]
    [InlineData("foo/../bar", "foo/bar", false)]
    [InlineData("node_modules", "/node_modules/pkg/index.js", true)]
    [InlineData("node_modules", "./src/../node_modules", true)]
    [InlineData("node_modules", "src/node_modules", false)]
    [InlineData("  spaced  ", "spaced", true)]
    [InlineData("  #not-a-comment", "#not-a-comment", true)]
    public void SinglePattern(string pattern, string path, bool excluded)
    {
        Assert.Equal(excluded, DockerIgnore.Parse(pattern).IsExcluded(path));
    }

    [Theory]
    [InlineData("*.md\n!README.md\n", "README.md", false)]
    [InlineData("*.md\n!README.md\n", "CHANGES.md", true)]
    // Docker's documentation: the last matching line wins.
    [InlineData("*.md\n!README*.md\nREADME-secret.md\n", "README-secret.md", true)]
    [InlineData("*.md\n!README*.md\nREADME-secret.md\n", "README-public.md", false)]
    [InlineData("*.md\nREADME-secret.md\n!README*.md\n", "README-secret.md", false)]
    [InlineData("docs\n! docs/keep.txt\n", "docs/keep.txt", false)]
    [InlineData("docs\n!docs/keep.txt\n", "docs/drop.txt", true)]
    [InlineData("docs\n!docs/keep\n", "docs/keep/deep/file", false)]
    [InlineData("!x\n", "x", false)]
    [InlineData("*\n!src\nsrc/*.tmp\n", "src/a.tmp", true)]
    [InlineData("*\n!src\nsrc/*.tmp\n", "src/a.c", false)]
    [InlineData("*\n!src\nsrc/*.tmp\n", "other", true)]
    [InlineData("\n\n# only comments\n   \n", "x", false)]
    public void ExceptionsAndOrder(string rules, string path, bool excluded)
    {
        Assert.Equal(excluded, DockerIgnore.Parse(rules).IsExcluded(path));
    }

    [Fact]
    public void TheRootIsNeverExcluded()
    {
        Assert.False(DockerIgnore.Parse("*\n**\n").IsExcluded("."));
        Assert.False(DockerIgnore.Parse("*\n").IsExcluded("/"));
    }

    [Theory]
    [InlineData("file[", "not closed")]
    [InlineData("[]a]", "not closed")]
    [InlineData("[a-]", "not closed")]
    [InlineData("trailing\\", "escaping backslash")]
    [InlineData("ok\n!", "illegal exclusion pattern")]
    public void MalformedPatternsAreRejectedWithTheirLine(string rules, string reason)
    {
        var error = Assert.Throws<FormatException>(() => DockerIgnore.Parse(rules));
        Assert.Contains(reason, error.Message);
        Assert.Contains($"line {rules.Split('\n').Length}", error.Message);
    }

    [Fact]
    public void DirectoriesAreSkippedOnlyWhenNoExceptionCanReachInside()
    {
        var rules = DockerIgnore.Parse("build\nvendor\n!vendor/keep/*.go\nlogs\n!logs/**/important.log\n");
        Assert.True(rules.CanSkipDirectory("build"));
        Assert.False(rules.CanSkipDirectory("vendor"));
        Assert.False(rules.CanSkipDirectory("vendor/keep"));
        Assert.True(rules.CanSkipDirectory("vendor/other"));
        Assert.False(rules.CanSkipDirectory("logs"));
        Assert.False(rules.CanSkipDirectory("src"));
        Assert.False(rules.IsExcluded("vendor/keep/a.go"));
        Assert.True(rules.IsExcluded("vendor/keep/a.c"));
        Assert.False(rules.IsExcluded("logs/x/important.log"));
        Assert.False(rules.IsExcluded("logs/important.log"));
        Assert.False(DockerIgnore.Parse("build\n!**/keep\n").CanSkipDirectory("build"));
    }

    [Fact]
    public void TheRecipeAndTheIgnoreFileAreAlwaysSent()
    {
        var rules = DockerIgnore.Parse("*\n.dockerignore\nci/\n").WithAlwaysSent(".dockerignore", "ci/Dockerfile[1]", "kept");
        Assert.False(rules.IsExcluded(".dockerignore"));
        Assert.False(rules.IsExcluded("ci/Dockerfile[1]"));
        Assert.True(rules.IsExcluded("ci/other"));
        Assert.False(rules.IsExcluded("kept"));
        Assert.True(rules.IsExcluded("src"));
        Assert.False(rules.CanSkipDirectory("ci"));
        Assert.Empty(DockerIgnore.Empty.Rules);
        Assert.False(DockerIgnore.Empty.IsExcluded("anything"));
    }

    [Theory]
    [InlineData("", ".")]
    [InlineData("/", "/")]
    [InlineData("a//b/./c/..", "a/b")]
    [InlineData("../../x", "../../x")]
    [InlineData("/../x", "/x")]
    [InlineData("a/../..", "..")]
    public void CleanIsGoPathClean(string path, string cleaned)
    {
        Assert.Equal(cleaned, ContextPath.Clean(path));
    }
}
