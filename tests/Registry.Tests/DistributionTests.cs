using Images.Core.Oci;
using Images.Registry.Distribution;

namespace Images.Registry.Tests;

public sealed class DistributionTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("library/ubuntu")]
    [InlineData("a.b_c__d---e/f0/g-h")]
    [InlineData("127.0.0.1/x")]
    public void Valid_repository_names_pass(string name) => Assert.Null(RepositoryName.Check(name));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Upper", "'U'")]
    [InlineData("a//b", "empty path component")]
    [InlineData("/a", "empty path component")]
    [InlineData("a/", "empty path component")]
    [InlineData("-a", "start and end")]
    [InlineData("a-", "start and end")]
    [InlineData("a..b", "start and end")]
    [InlineData("a___b", "start and end")]
    [InlineData("a_.b", "start and end")]
    [InlineData("a b", "' '")]
    public void Invalid_repository_names_say_why(string name, string why)
    {
        var problem = RepositoryName.Check(name);
        Assert.NotNull(problem);
        Assert.Contains(why, problem);
        var error = Assert.Throws<RegistryException>(() => RepositoryName.Validate(name));
        Assert.Equal(ErrorCode.NameInvalid, error.Code);
    }

    [Fact]
    public void Names_longer_than_255_are_invalid() => Assert.False(RepositoryName.IsValid(new string('a', 256)));

    [Theory]
    [InlineData("latest", true)]
    [InlineData("v1.2.3-rc_1", true)]
    [InlineData("_x", true)]
    [InlineData(".x", false)]
    [InlineData("-x", false)]
    [InlineData("a:b", false)]
    [InlineData("", false)]
    public void Tags_follow_the_grammar(string tag, bool valid) => Assert.Equal(valid, RepositoryName.IsValidTag(tag));

    [Fact]
    public void Tags_are_at_most_128_characters()
    {
        Assert.True(RepositoryName.IsValidTag(new string('a', 128)));
        Assert.False(RepositoryName.IsValidTag(new string('a', 129)));
    }

    [Fact]
    public void Bad_digests_are_DIGEST_INVALID()
    {
        Assert.Equal(ErrorCode.DigestInvalid, Assert.Throws<RegistryException>(() => DigestParameter.Parse("sha256:abc")).Code);
        Assert.Equal(ErrorCode.DigestInvalid, Assert.Throws<RegistryException>(() => DigestParameter.Parse("md5:" + new string('0', 32))).Code);
        Assert.Equal("sha512", DigestParameter.Parse("sha512:" + new string('a', 128)).Algorithm);
    }

    [Theory]
    [InlineData("bytes=0-9", 100, 0, 9)]
    [InlineData("bytes=90-", 100, 90, 99)]
    [InlineData("bytes=-10", 100, 90, 99)]
    [InlineData("bytes=95-200", 100, 95, 99)]
    [InlineData("bytes=-500", 100, 0, 99)]
    public void Request_ranges_parse_against_the_size(string header, long size, long first, long last)
    {
        Assert.True(ByteRange.TryParseRequest(header, size, out var range));
        Assert.Equal(new ByteRange(first, last), range);
        Assert.Equal($"bytes {first}-{last}/{size}", range.ToContentRange(size));
    }

    [Theory]
    [InlineData("bytes=100-")]
    [InlineData("bytes=150-160")]
    [InlineData("bytes=-0")]
    public void Ranges_outside_the_blob_are_unsatisfiable(string header) =>
        Assert.Equal(ErrorCode.RangeInvalid, Assert.Throws<RegistryException>(() => ByteRange.TryParseRequest(header, 100, out _)).Code);

    [Theory]
    [InlineData("items=0-1")]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=5-1")]
    [InlineData("bytes=x-1")]
    public void Ranges_we_do_not_serve_mean_the_whole_blob(string header) => Assert.False(ByteRange.TryParseRequest(header, 100, out _));

    [Fact]
    public void Upload_ranges_round_trip()
    {
        Assert.True(ByteRange.TryParseUploadChunk("10-19", out var chunk));
        Assert.Equal(new ByteRange(10, 19), chunk);
        Assert.Equal("10-19", chunk.ToUploadChunk());
        Assert.True(ByteRange.TryParseUploadChunk("bytes 0-4/5", out chunk));
        Assert.Equal(5, chunk.Length);
        Assert.False(ByteRange.TryParseUploadChunk("9-3", out _));
        Assert.Equal("0-0", ByteRange.UploadProgress(0));
        Assert.Equal("0-99", ByteRange.UploadProgress(100));
        Assert.True(ByteRange.TryParseUploadProgress("0-99", out long received));
        Assert.Equal(100, received);
    }

    [Fact]
    public void Link_headers_round_trip()
    {
        var header = LinkHeader.Next("/v2/a/tags/list?n=2&last=b");
        Assert.Equal("</v2/a/tags/list?n=2&last=b>; rel=\"next\"", header);
        Assert.Equal("/v2/a/tags/list?n=2&last=b", LinkHeader.ParseNext(header));
        Assert.Null(LinkHeader.ParseNext("</x>; rel=\"prev\""));
    }

    [Fact]
    public void Challenges_round_trip()
    {
        var challenge = Challenge.Bearer("https://auth.example/token", "reg", "repository:a/b:pull,push");
        var text = challenge.ToString();
        Assert.Equal("Bearer realm=\"https://auth.example/token\",service=\"reg\",scope=\"repository:a/b:pull,push\"", text);
        var parsed = Challenge.Parse(text)!;
        Assert.Equal("Bearer", parsed.Scheme);
        Assert.Equal("https://auth.example/token", parsed.Realm);
        Assert.Equal("reg", parsed.Service);
        var scope = Assert.Single(AccessScope.ParseList(parsed.Scope));
        Assert.Equal("a/b", scope.Name);
        Assert.True(scope.Allows("push"));
        Assert.Equal("Basic", Challenge.Parse("Basic realm=\"x\"")!.Scheme);
    }

    [Fact]
    public void Scopes_keep_colons_in_names()
    {
        Assert.True(AccessScope.TryParse("repository:host:5000/app:pull", out var scope));
        Assert.Equal("host:5000/app", scope.Name);
        Assert.Equal(["pull"], scope.Actions);
    }

    [Fact]
    public void Accept_negotiation()
    {
        Assert.True(ManifestMediaTypes.Accepts([], MediaTypes.OciManifest));
        Assert.True(ManifestMediaTypes.Accepts(["*/*"], MediaTypes.DockerManifest));
        Assert.True(ManifestMediaTypes.Accepts([$"{MediaTypes.DockerManifest}, {MediaTypes.OciIndex};q=0.5"], MediaTypes.OciIndex));
        Assert.False(ManifestMediaTypes.Accepts([MediaTypes.DockerManifest], MediaTypes.OciManifest));
        Assert.False(ManifestMediaTypes.Accepts([$"{MediaTypes.OciManifest};q=0"], MediaTypes.OciManifest));
    }

    [Fact]
    public void Error_bodies_round_trip_and_every_code_has_one_status()
    {
        var body = ErrorBody.From(new RegistryException(ErrorCode.BlobUnknown, "blob x is not here", new[] { "x" }));
        var parsed = ErrorBody.TryParse(body.ToUtf8())!;
        Assert.Equal("BLOB_UNKNOWN", parsed.Errors.Single().Code);
        Assert.Equal("blob x is not here", parsed.Errors.Single().Message);
        Assert.Null(ErrorBody.TryParse("<html>"u8));
        foreach (var code in new[] { "BLOB_UNKNOWN", "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_UNKNOWN", "DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN",
                     "MANIFEST_INVALID", "MANIFEST_UNKNOWN", "NAME_INVALID", "NAME_UNKNOWN", "SIZE_INVALID", "UNAUTHORIZED", "DENIED",
                     "UNSUPPORTED", "TOOMANYREQUESTS" })
            Assert.NotNull(ErrorCode.Find(code));
    }
}
