using System.Net;
using System.Security.Cryptography;
using Images.Core.Digests;
using Images.Registry.Distribution;
using Images.Registry.Tests.Support;

namespace Images.Registry.Tests;

/// <summary>Blob endpoints and uploads, conformance-style: every success path and every error with its status and code.</summary>
public sealed class BlobApiTests : IDisposable
{
    private readonly RegistryHost _host = new();
    private RegistryHttp Api => _host.Client;

    public void Dispose() => _host.Dispose();

    private static byte[] Random(int size) => RandomNumberGenerator.GetBytes(size);

    [Fact]
    public async Task Base_endpoint_answers_200_with_the_api_version()
    {
        using var response = await Api.SendAsync(HttpMethod.Get, "/v2/");
        await RegistryHttp.ExpectAsync(response, HttpStatusCode.OK);
        Assert.Equal("registry/2.0", response.Headers.GetValues(RegistryHeaders.ApiVersion).Single());
        using var bare = await Api.SendAsync(HttpMethod.Get, "/v2");
        await RegistryHttp.ExpectAsync(bare, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Monolithic_push_then_get_and_head()
    {
        var data = Random(100_000);
        var digest = await Api.PushBlobAsync("app", data);

        using var get = await Api.SendAsync(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        await RegistryHttp.ExpectAsync(get, HttpStatusCode.OK);
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest.ToString(), get.Headers.GetValues(RegistryHeaders.ContentDigest).Single());

        using var head = await Api.SendAsync(HttpMethod.Head, $"/v2/app/blobs/{digest}");
        await RegistryHttp.ExpectAsync(head, HttpStatusCode.OK);
        Assert.Equal(data.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        // The blob went to the shared content store: usable locally at once.
        Assert.True(_host.Store.Content.Exists(digest));
    }

    [Fact]
    public async Task Range_requests_answer_206_and_416()
    {
        var data = Random(1000);
        var digest = await Api.PushBlobAsync("app", data);

        using var part = await Api.SendAsync(HttpMethod.Get, $"/v2/app/blobs/{digest}", edit: r => r.Headers.Range = new(100, 199));
        await RegistryHttp.ExpectAsync(part, HttpStatusCode.PartialContent);
        Assert.Equal(data[100..200], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes 100-199/1000", part.Content.Headers.ContentRange!.ToString());

        using var suffix = await Api.SendAsync(HttpMethod.Get, $"/v2/app/blobs/{digest}", edit: r => r.Headers.Range = new(null, 10));
        await RegistryHttp.ExpectAsync(suffix, HttpStatusCode.PartialContent);
        Assert.Equal(data[990..], await suffix.Content.ReadAsByteArrayAsync());

        using var beyond = await Api.SendAsync(HttpMethod.Get, $"/v2/app/blobs/{digest}", edit: r => r.Headers.Range = new(5000, 6000));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal("bytes */1000", beyond.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Sha512_blobs_are_stored_and_served_under_their_digest()
    {
        var data = Random(4096);
        var digest = await Api.PushBlobAsync("app", data, Digest.Sha512);
        Assert.Equal("sha512", digest.Algorithm);
        using var get = await Api.SendAsync(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());

        // Chunked too.
        var location = await Api.StartUploadAsync("app");
        var other = Random(3000);
        using (var patch = await Api.PatchAsync(location, other, 0)) await RegistryHttp.ExpectAsync(patch, HttpStatusCode.Accepted);
        var d512 = Digest.Compute(other, Digest.Sha512);
        using var put = await Api.SendAsync(HttpMethod.Put, RegistryHttp.WithQuery(location, $"digest={d512}"));
        await RegistryHttp.ExpectAsync(put, HttpStatusCode.Created);
        Assert.True(_host.Store.Content.Exists(d512));
    }

    [Fact]
    public async Task Unknown_blobs_and_bad_digests()
    {
        var absent = Digest.Compute("nothing"u8);
        using (var r = await Api.SendAsync(HttpMethod.Get, $"/v2/app/blobs/{absent}")) await RegistryHttp.ExpectErrorAsync(r, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        using (var r = await Api.SendAsync(HttpMethod.Head, $"/v2/app/blobs/{absent}")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        using (var r = await Api.SendAsync(HttpMethod.Get, "/v2/app/blobs/sha256:1234")) await RegistryHttp.ExpectErrorAsync(r, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        using (var r = await Api.SendAsync(HttpMethod.Post, "/v2/app/blobs/uploads/?digest=sha256:zz", RegistryHttp.Bytes([1])))
            await RegistryHttp.ExpectErrorAsync(r, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        using (var r = await Api.SendAsync(HttpMethod.Get, "/v2/Bad_Name/blobs/" + absent)) await RegistryHttp.ExpectErrorAsync(r, HttpStatusCode.BadRequest, "NAME_INVALID");
    }

    [Fact]
    public async Task A_wrong_digest_stores_nothing()
    {
        var data = Random(5000);
        var claimed = Digest.Compute(Random(10));
        using (var r = await Api.SendAsync(HttpMethod.Post, $"/v2/app/blobs/uploads/?digest={claimed}", RegistryHttp.Bytes(data)))
            await RegistryHttp.ExpectErrorAsync(r, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.False(_host.Store.Content.Exists(claimed));
        Assert.False(_host.Store.Content.Exists(Digest.Compute(data)));

        var location = await Api.StartUploadAsync("app");
        using (var p = await Api.PatchAsync(location, data, 0)) await RegistryHttp.ExpectAsync(p, HttpStatusCode.Accepted);
        using (var r = await Api.SendAsync(HttpMethod.Put, RegistryHttp.WithQuery(location, $"digest={claimed}")))
            await RegistryHttp.ExpectErrorAsync(r, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        using (var r = await Api.SendAsync(HttpMethod.Put, location)) await RegistryHttp.ExpectErrorAsync(r, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.False(_host.Store.Content.Exists(Digest.Compute(data)));
        using (var r = await Api.SendAsync(HttpMethod.Get, $"/v2/app/blobs/{Digest.Compute(data)}")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Fact]
    public async Task Chunked_upload_in_order_with_status()
    {
        var data = Random(300_000);
        var location = await Api.StartUploadAsync("app");
        long offset = 0;
        foreach (int size in new[] { 100_000, 150_000, 50_000 })
        {
            using var patch = await Api.PatchAsync(location, data[(int)offset..(int)(offset + size)], offset);
            await RegistryHttp.ExpectAsync(patch, HttpStatusCode.Accepted);
            offset += size;
            Assert.Equal($"0-{offset - 1}", patch.Headers.GetValues("Range").Single());
            location = patch.Headers.Location!.OriginalString;

            using var status = await Api.SendAsync(HttpMethod.Get, location);
            await RegistryHttp.ExpectAsync(status, HttpStatusCode.NoContent);
            Assert.Equal($"0-{offset - 1}", status.Headers.GetValues("Range").Single());
            Assert.NotEmpty(status.Headers.GetValues(RegistryHeaders.UploadUuid).Single());
        }
        var digest = Digest.Compute(data);
        // A partial blob is never visible.
        Assert.False(_host.Store.Content.Exists(digest));
        using var put = await Api.SendAsync(HttpMethod.Put, RegistryHttp.WithQuery(location, $"digest={digest}"));
        await RegistryHttp.ExpectAsync(put, HttpStatusCode.Created);
        Assert.Equal($"/v2/app/blobs/{digest}", put.Headers.Location!.OriginalString);
        using var get = await Api.SendAsync(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
        // The session is gone after completion.
        using var after = await Api.SendAsync(HttpMethod.Get, location);
        await RegistryHttp.ExpectErrorAsync(after, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Fact]
    public async Task Final_chunk_can_ride_on_the_put()
    {
        var data = Random(2000);
        var location = await Api.StartUploadAsync("app");
        using (var p = await Api.PatchAsync(location, data[..500], 0)) await RegistryHttp.ExpectAsync(p, HttpStatusCode.Accepted);
        var digest = Digest.Compute(data);
        var last = RegistryHttp.Bytes(data[500..]);
        last.Headers.TryAddWithoutValidation("Content-Range", "500-1999");
        using var put = await Api.SendAsync(HttpMethod.Put, RegistryHttp.WithQuery(location, $"digest={digest}"), last);
        await RegistryHttp.ExpectAsync(put, HttpStatusCode.Created);
        Assert.Equal(2000, _host.Store.Content.Info(digest)!.Size);
    }

    [Fact]
    public async Task Out_of_order_and_repeated_chunks_are_416()
    {
        var data = Random(1000);
        var location = await Api.StartUploadAsync("app");
        using (var gap = await Api.PatchAsync(location, data[500..], 500)) await RegistryHttp.ExpectErrorAsync(gap, HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID");
        using (var first = await Api.PatchAsync(location, data[..500], 0)) await RegistryHttp.ExpectAsync(first, HttpStatusCode.Accepted);
        using (var again = await Api.PatchAsync(location, data[..500], 0)) await RegistryHttp.ExpectErrorAsync(again, HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID");
        using (var status = await Api.SendAsync(HttpMethod.Get, location)) Assert.Equal("0-499", status.Headers.GetValues("Range").Single());
        using (var rest = await Api.PatchAsync(location, data[500..], 500)) await RegistryHttp.ExpectAsync(rest, HttpStatusCode.Accepted);
        using var put = await Api.SendAsync(HttpMethod.Put, RegistryHttp.WithQuery(location, $"digest={Digest.Compute(data)}"));
        await RegistryHttp.ExpectAsync(put, HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_chunk_shorter_than_its_range_is_SIZE_INVALID()
    {
        var location = await Api.StartUploadAsync("app");
        var content = RegistryHttp.Bytes(new byte[10]);
        content.Headers.TryAddWithoutValidation("Content-Range", "0-19");
        using var patch = await Api.SendAsync(HttpMethod.Patch, location, content);
        await RegistryHttp.ExpectErrorAsync(patch, HttpStatusCode.BadRequest, "SIZE_INVALID");
    }

    [Fact]
    public async Task Cancelled_and_unknown_uploads()
    {
        var location = await Api.StartUploadAsync("app");
        using (var del = await Api.SendAsync(HttpMethod.Delete, location)) await RegistryHttp.ExpectAsync(del, HttpStatusCode.NoContent);
        using (var status = await Api.SendAsync(HttpMethod.Get, location)) await RegistryHttp.ExpectErrorAsync(status, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        using (var patch = await Api.PatchAsync(location, [1, 2], 0)) await RegistryHttp.ExpectErrorAsync(patch, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        using (var del = await Api.SendAsync(HttpMethod.Delete, location)) await RegistryHttp.ExpectErrorAsync(del, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        using (var junk = await Api.SendAsync(HttpMethod.Get, "/v2/app/blobs/uploads/not-an-id")) await RegistryHttp.ExpectErrorAsync(junk, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");

        // A session belongs to its repository.
        var other = await Api.StartUploadAsync("app");
        using var elsewhere = await Api.SendAsync(HttpMethod.Get, other.Replace("/v2/app/", "/v2/other/"));
        await RegistryHttp.ExpectErrorAsync(elsewhere, HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Fact]
    public async Task Repositories_serve_only_blobs_they_link_and_mount_adds_a_link()
    {
        var data = Random(700);
        var digest = await Api.PushBlobAsync("source", data);
        using (var r = await Api.SendAsync(HttpMethod.Get, $"/v2/target/blobs/{digest}")) await RegistryHttp.ExpectErrorAsync(r, HttpStatusCode.NotFound, "BLOB_UNKNOWN");

        using (var mount = await Api.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={digest}&from=source"))
        {
            await RegistryHttp.ExpectAsync(mount, HttpStatusCode.Created);
            Assert.Equal($"/v2/target/blobs/{digest}", mount.Headers.Location!.OriginalString);
        }
        using (var r = await Api.SendAsync(HttpMethod.Get, $"/v2/target/blobs/{digest}")) Assert.Equal(data, await r.Content.ReadAsByteArrayAsync());

        // Mounting from a repository that lacks the blob falls back to an upload session.
        var absent = Digest.Compute(Random(9));
        using var fallback = await Api.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={absent}&from=source");
        await RegistryHttp.ExpectAsync(fallback, HttpStatusCode.Accepted);
        Assert.Contains("/v2/target/blobs/uploads/", fallback.Headers.Location!.OriginalString);
        using var noFrom = await Api.SendAsync(HttpMethod.Post, $"/v2/target/blobs/uploads/?mount={digest}");
        await RegistryHttp.ExpectAsync(noFrom, HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Blob_delete_unlinks_from_the_repository_only()
    {
        var digest = await Api.PushBlobAsync("one", Random(100));
        using (var mount = await Api.SendAsync(HttpMethod.Post, $"/v2/two/blobs/uploads/?mount={digest}&from=one")) Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        using (var del = await Api.SendAsync(HttpMethod.Delete, $"/v2/one/blobs/{digest}")) await RegistryHttp.ExpectAsync(del, HttpStatusCode.Accepted);
        using (var gone = await Api.SendAsync(HttpMethod.Get, $"/v2/one/blobs/{digest}")) await RegistryHttp.ExpectErrorAsync(gone, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        using (var kept = await Api.SendAsync(HttpMethod.Get, $"/v2/two/blobs/{digest}")) await RegistryHttp.ExpectAsync(kept, HttpStatusCode.OK);
        using (var again = await Api.SendAsync(HttpMethod.Delete, $"/v2/one/blobs/{digest}")) await RegistryHttp.ExpectErrorAsync(again, HttpStatusCode.NotFound, "BLOB_UNKNOWN");
    }

    [Fact]
    public async Task Two_clients_pushing_the_same_blob_both_succeed()
    {
        var data = Random(2_000_000);
        var digest = Digest.Compute(data);
        var a = await Api.StartUploadAsync("app");
        var b = await Api.StartUploadAsync("app");
        using (var pa = await Api.PatchAsync(a, data, 0)) await RegistryHttp.ExpectAsync(pa, HttpStatusCode.Accepted);
        using (var pb = await Api.PatchAsync(b, data, 0)) await RegistryHttp.ExpectAsync(pb, HttpStatusCode.Accepted);
        var puts = await Task.WhenAll(
            Api.SendAsync(HttpMethod.Put, RegistryHttp.WithQuery(a, $"digest={digest}")),
            Api.SendAsync(HttpMethod.Put, RegistryHttp.WithQuery(b, $"digest={digest}")));
        foreach (var put in puts) await RegistryHttp.ExpectAsync(put, HttpStatusCode.Created);
        Assert.Equal(digest, Digest.Compute(_host.Store.Content.OpenRead(digest)));
    }

    [Fact]
    public async Task Unsupported_methods_are_405_and_unknown_paths_404()
    {
        using (var r = await Api.SendAsync(HttpMethod.Put, $"/v2/app/blobs/{Digest.Compute([])}")) await RegistryHttp.ExpectErrorAsync(r, HttpStatusCode.MethodNotAllowed, "UNSUPPORTED");
        using (var r = await Api.SendAsync(HttpMethod.Get, "/v2/app/nothing-here")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }
}
