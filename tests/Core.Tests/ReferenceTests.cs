using Images.Core.References;

namespace Images.Core.Tests;

public sealed class ReferenceTests
{
    private const string Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", "latest", "busybox:latest")]
    [InlineData("busybox:1.36", "docker.io", "library/busybox", "1.36", "busybox:1.36")]
    [InlineData("user/app:v1", "docker.io", "user/app", "v1", "user/app:v1")]
    [InlineData("localhost/app", "localhost", "app", "latest", "localhost/app:latest")]
    [InlineData("localhost:5000/a/b/c:tag_1.2-x", "localhost:5000", "a/b/c", "tag_1.2-x", "localhost:5000/a/b/c:tag_1.2-x")]
    [InlineData("registry.example.com/ns/img", "registry.example.com", "ns/img", "latest", "registry.example.com/ns/img:latest")]
    [InlineData("127.0.0.1:5000/img:1", "127.0.0.1:5000", "img", "1", "127.0.0.1:5000/img:1")]
    [InlineData("index.docker.io/library/alpine", "docker.io", "library/alpine", "latest", "alpine:latest")]
    [InlineData("a__b--c/e_f.g", "docker.io", "a__b--c/e_f.g", "latest", "a__b--c/e_f.g:latest")]
    public void Parse_NormalizesLikeDocker(string text, string domain, string path, string tag, string familiar)
    {
        var r = Reference.Parse(text);
        Assert.Equal(domain, r.Domain);
        Assert.Equal(path, r.Path);
        Assert.Equal(tag, r.Tag);
        Assert.Null(r.Digest);
        Assert.Equal(familiar, r.ToFamiliarString());
    }

    [Fact]
    public void Parse_Digest_HasNoDefaultTag()
    {
        var r = Reference.Parse($"localhost:5000/app@sha256:{Hex}");
        Assert.Null(r.Tag);
        Assert.Equal($"sha256:{Hex}", r.Digest.ToString());
        Assert.Equal($"localhost:5000/app@sha256:{Hex}", r.ToString());

        var both = Reference.Parse($"app:v2@sha256:{Hex}");
        Assert.Equal("v2", both.Tag);
        Assert.NotNull(both.Digest);
    }

    [Theory]
    [InlineData("", "image name is required")]
    [InlineData("UPPER", "lowercase")]
    [InlineData("app:", "invalid tag")]
    [InlineData("app:-bad", "invalid tag")]
    [InlineData("app@sha256:abc", "64 lowercase hex")]
    [InlineData("a//b", "invalid repository path component")]
    [InlineData("a/b_", "invalid repository path component")]
    [InlineData("-a", "invalid repository path component")]
    [InlineData("a_b.c/d", "invalid registry host")]
    public void Parse_Invalid_SaysWhichPart(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Reference.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.False(Reference.TryParse(text, out _));
    }

    [Fact]
    public void Parse_TooLongName_IsRefused()
    {
        string name = string.Join('/', Enumerable.Repeat(new string('a', 50), 6));
        Assert.Contains("longer than 255", Assert.Throws<FormatException>(() => Reference.Parse(name)).Message);
    }

    [Fact]
    public void WithTag_ReplacesTagAndDropsDigest()
    {
        var r = Reference.Parse($"app@sha256:{Hex}").WithTag("v3");
        Assert.Equal("docker.io/library/app:v3", r.ToString());
        Assert.Throws<FormatException>(() => r.WithTag(".x"));
    }
}
