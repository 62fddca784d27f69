using Images.Core.Digests;

namespace Images.Core.Tests;

public sealed class DigestTests
{
    private const string EmptySha256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public void Compute_OfEmptyInput_IsTheWellKnownSha256()
    {
        Assert.Equal(EmptySha256, Digest.Compute(ReadOnlySpan<byte>.Empty).ToString());
        Assert.Equal(EmptySha256, Digest.Compute(new MemoryStream()).ToString());
    }

    [Fact]
    public void Compute_Sha512_HasTheRightLengthAndParsesBack()
    {
        var d = Digest.Compute("abc"u8, Digest.Sha512);
        Assert.Equal("sha512", d.Algorithm);
        Assert.Equal(128, d.Encoded.Length);
        Assert.Equal(d, Digest.Parse(d.ToString()));
        Assert.StartsWith("ddaf35a193617aba", d.Encoded);
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "algorithm prefix")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported algorithm \"md5\"")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "lowercase hex")]
    [InlineData("sha256:e3b0", "64 lowercase hex")]
    [InlineData("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "128 lowercase hex")]
    public void Parse_Malformed_SaysWhatIsWrong(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Digest.Parse(text));
        Assert.Contains(expected == "required" ? "invalid digest" : expected, e.Message);
        Assert.False(Digest.TryParse(text, out _));
    }

    [Fact]
    public void HashingStream_HashesWhatPassesThrough()
    {
        var data = new byte[200_000];
        new Random(7).NextBytes(data);
        using var hs = new HashingStream(new MemoryStream(data));
        var copy = new MemoryStream();
        hs.CopyTo(copy);
        Assert.Equal(Digest.Compute(data), hs.GetDigest());
        Assert.Equal(data.Length, hs.BytesHashed);
    }

    [Fact]
    public void ChainId_FollowsTheImageSpecDefinition()
    {
        var a = Digest.Compute("a"u8);
        var b = Digest.Compute("b"u8);
        var c = Digest.Compute("c"u8);
        var chain = ChainId.All([a, b, c]);
        Assert.Equal(a, chain[0]);
        var ab = Digest.Compute(System.Text.Encoding.ASCII.GetBytes($"{a} {b}"));
        Assert.Equal(ab, chain[1]);
        Assert.Equal(Digest.Compute(System.Text.Encoding.ASCII.GetBytes($"{ab} {c}")), chain[2]);
        Assert.Equal(chain[2], ChainId.Top([a, b, c]));
        Assert.Null(ChainId.Top([]));
    }
}
