using Images.Builder.Context;
using Images.Platform;

namespace Images.Builder.Tests;

public sealed class BuildContextTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("builder-context-").FullName;

    public BuildContextTests()
    {
        Write(".dockerignore", "# rules\n*.log\nbuild\n!build/keep.txt\nsecret/\nDockerfile\n");
        Write("Dockerfile", "FROM scratch\n");
        Write("a.txt", "a");
        Write("b.log", "log");
        Write("src/main.c", "int main;");
        Write("src/util.c", "util");
        Write("src/x.h", "header");
        Write("build/out.o", "object");
        Write("build/keep.txt", "keep");
        Write("secret/key", "hunter2");
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "src/main.c");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string path, string content)
    {
        string full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    [Fact]
    public void WalkListsSentEntriesInOrderAndTheRecipeAndIgnoreFileAlways()
    {
        var context = BuildContext.Open(_root);
        Assert.Equal(
            [".dockerignore", "Dockerfile", "a.txt", "build", "build/keep.txt", "link", "src", "src/main.c", "src/util.c", "src/x.h"],
            context.Walk().Select(e => e.Path));
        var link = context.Walk().Single(e => e.Path == "link");
        Assert.Equal((FileKind.Symlink, "src/main.c"), (link.Status.Kind, link.LinkTarget));
        Assert.Equal(["src/main.c", "src/util.c", "src/x.h"], context.Walk("./src/").Select(e => e.Path));
    }

    [Fact]
    public void RecipeSpecificIgnoreFileWins()
    {
        Write("ci/app.Dockerfile", "FROM scratch\n");
        Write("ci/app.Dockerfile.dockerignore", "src\nci\n");
        var context = BuildContext.Open(_root, "ci/app.Dockerfile");
        Assert.Equal([".dockerignore", "Dockerfile", "a.txt", "b.log", "build", "build/keep.txt", "build/out.o", "ci", "ci/app.Dockerfile", "link", "secret", "secret/key"],
            context.Walk().Select(e => e.Path));
    }

    [Fact]
    public void GlobFollowsFilepathMatchAndTheIgnoreRules()
    {
        var context = BuildContext.Open(_root);
        Assert.Equal(["src/main.c", "src/util.c"], context.Glob("src/*.c"));
        Assert.Equal(["src/main.c", "src/util.c", "src/x.h"], context.Glob("/src/*"));
        Assert.Equal(["a.txt"], context.Glob("?.txt"));
        Assert.Equal(["build/keep.txt"], context.Glob("build/*"));
        Assert.Empty(context.Glob("*.log"));
        Assert.Empty(context.Glob("secret/key"));
        Assert.Empty(context.Glob("missing"));
        Assert.Equal(["a.txt"], context.Glob("./x/../a.txt"));
        Assert.Throws<ArgumentException>(() => context.Glob("../outside"));
        Assert.Throws<FormatException>(() => context.Glob("src/[a"));
    }

    [Fact]
    public void ChecksumIgnoresMtimeButSeesContentModeAndLinks()
    {
        var context = BuildContext.Open(_root);
        var file = context.Checksum("src/main.c");
        var directory = context.Checksum("src");
        var whole = context.Checksum(".");
        Assert.NotEqual(file, directory);

        File.SetLastWriteTimeUtc(Path.Combine(_root, "src/main.c"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(file, context.Checksum("src/main.c"));
        Assert.Equal(directory, context.Checksum("src/"));

        // Excluded files do not take part.
        Write("secret/key", "changed");
        Write("c.log", "new log");
        Assert.Equal(whole, context.Checksum("."));

        Files.Chmod(Path.Combine(_root, "src/main.c"), Convert.ToUInt32("600", 8));
        var afterChmod = context.Checksum("src/main.c");
        Assert.NotEqual(file, afterChmod);
        Assert.NotEqual(directory, context.Checksum("src"));

        Write("src/main.c", "int main();");
        Assert.NotEqual(afterChmod, context.Checksum("src/main.c"));

        var link = context.Checksum("link");
        File.Delete(Path.Combine(_root, "link"));
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "src/util.c");
        Assert.NotEqual(link, context.Checksum("link"));
    }

    [Fact]
    public void ChecksumOfAMissingOrExcludedPathSaysSo()
    {
        var context = BuildContext.Open(_root);
        Assert.Contains("not in the build context", Assert.Throws<FileNotFoundException>(() => context.Checksum("nope")).Message);
        Assert.Throws<FileNotFoundException>(() => context.Checksum("b.log"));
        Assert.Throws<ArgumentException>(() => context.Checksum("../etc/passwd"));
    }

    [Fact]
    public void ContextRootMustExist()
    {
        Assert.Throws<DirectoryNotFoundException>(() => new BuildContext(Path.Combine(_root, "absent"), DockerIgnore.Empty));
    }
}
