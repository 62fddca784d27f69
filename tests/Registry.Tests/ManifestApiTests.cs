using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Registry.Distribution;
using Images.Registry.Tests.Support;

namespace Images.Registry.Tests;

/// <summary>Manifests, tags, catalog and referrers: conformance-style cases including large and nested manifests and artifacts.</summary>
public sealed class ManifestApiTests : IDisposable
{
    private readonly RegistryHost _host = new();
    private RegistryHttp Api => _host.Client;

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Manifests_round_trip_exact_bytes_by_tag_and_digest()
    {
        var (bytes, digest) = await Api.PushImageAsync("app", "v1", RandomNumberGenerator.GetBytes(1000));
        Assert.Equal(Digest.Compute(bytes), digest);
        foreach (var reference in new[] { "v1", digest.ToString() })
        {
            using var get = await Api.SendAsync(HttpMethod.Get, $"/v2/app/manifests/{reference}", edit: r => r.Headers.Add("Accept", MediaTypes.OciManifest));
            await RegistryHttp.ExpectAsync(get, HttpStatusCode.OK);
            Assert.Equal(bytes, await get.Content.ReadAsByteArrayAsync());
            Assert.Equal(MediaTypes.OciManifest, get.Content.Headers.ContentType!.MediaType);
            Assert.Equal(digest.ToString(), get.Headers.GetValues(RegistryHeaders.ContentDigest).Single());

            using var head = await Api.SendAsync(HttpMethod.Head, $"/v2/app/manifests/{reference}");
            await RegistryHttp.ExpectAsync(head, HttpStatusCode.OK);
            Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
            Assert.Equal(digest.ToString(), head.Headers.GetValues(RegistryHeaders.ContentDigest).Single());
        }
    }

    [Fact]
    public async Task Whitespace_and_key_order_are_kept_byte_for_byte()
    {
        var config = await Api.PushBlobAsync("app", "{}"u8.ToArray());
        var text = $$"""
            {
               "layers" : [],
               "config": {"size": 2, "digest": "{{config}}", "mediaType": "{{MediaTypes.OciConfig}}"},
               "schemaVersion": 2
            }
            """;
        var bytes = Encoding.UTF8.GetBytes(text);
        var digest = await Api.PushManifestAsync("app", "odd", bytes, MediaTypes.OciManifest);
        using var get = await Api.SendAsync(HttpMethod.Get, $"/v2/app/manifests/{digest}");
        Assert.Equal(bytes, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Accept_negotiation_refuses_a_type_the_client_does_not_take()
    {
        await Api.PushImageAsync("app", "v1");
        using var docker = await Api.SendAsync(HttpMethod.Get, "/v2/app/manifests/v1", edit: r => r.Headers.Add("Accept", MediaTypes.DockerManifest));
        await RegistryHttp.ExpectErrorAsync(docker, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var any = await Api.SendAsync(HttpMethod.Get, "/v2/app/manifests/v1", edit: r => r.Headers.Add("Accept", ManifestMediaTypes.AcceptHeader));
        await RegistryHttp.ExpectAsync(any, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Docker_schema2_manifest_and_list()
    {
        var config = await Api.PushBlobAsync("dock", Encoding.UTF8.GetBytes("{\"os\":\"linux\"}"));
        var layer = await Api.PushBlobAsync("dock", RandomNumberGenerator.GetBytes(50));
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2, mediaType = MediaTypes.DockerManifest,
            config = new { mediaType = MediaTypes.DockerConfig, digest = config.ToString(), size = 15 },
            layers = new[] { new { mediaType = MediaTypes.DockerLayerGzip, digest = layer.ToString(), size = 50 } },
        });
        var md = await Api.PushManifestAsync("dock", "img", manifest, MediaTypes.DockerManifest);
        var list = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2, mediaType = MediaTypes.DockerManifestList,
            manifests = new[] { new { mediaType = MediaTypes.DockerManifest, digest = md.ToString(), size = manifest.Length, platform = new { architecture = "amd64", os = "linux" } } },
        });
        await Api.PushManifestAsync("dock", "list", list, MediaTypes.DockerManifestList);
        using var get = await Api.SendAsync(HttpMethod.Get, "/v2/dock/manifests/list", edit: r => r.Headers.Add("Accept", MediaTypes.DockerManifestList));
        Assert.Equal(MediaTypes.DockerManifestList, get.Content.Headers.ContentType!.MediaType);
        Assert.Equal(list, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Nested_index_needs_its_children_first()
    {
        var (image, imageDigest) = await Api.PushImageAsync("nest", "leaf");
        byte[] Index(Digest child, int size, string type) => JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2, mediaType = MediaTypes.OciIndex,
            manifests = new[] { new { mediaType = type, digest = child.ToString(), size } },
        });
        var inner = Index(imageDigest, image.Length, MediaTypes.OciManifest);
        var innerDigest = Digest.Compute(inner);
        var outer = Index(innerDigest, inner.Length, MediaTypes.OciIndex);

        using (var early = await Api.SendAsync(HttpMethod.Put, "/v2/nest/manifests/outer", RegistryHttp.Bytes(outer, MediaTypes.OciIndex)))
            await RegistryHttp.ExpectErrorAsync(early, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
        await Api.PushManifestAsync("nest", innerDigest.ToString(), inner, MediaTypes.OciIndex);
        var outerDigest = await Api.PushManifestAsync("nest", "outer", outer, MediaTypes.OciIndex);
        using var get = await Api.SendAsync(HttpMethod.Get, $"/v2/nest/manifests/{outerDigest}");
        Assert.Equal(outer, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Manifests_naming_missing_blobs_are_refused()
    {
        static byte[] ConfigOnly(Digest config, int size) => JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2, mediaType = MediaTypes.OciManifest,
            config = new { mediaType = MediaTypes.OciConfig, digest = config.ToString(), size },
            layers = Array.Empty<object>(),
        });
        var missing = Digest.Compute("absent"u8);
        var manifest = ConfigOnly(missing, 6);
        using var put = await Api.SendAsync(HttpMethod.Put, "/v2/app/manifests/x", RegistryHttp.Bytes(manifest, MediaTypes.OciManifest));
        await RegistryHttp.ExpectErrorAsync(put, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
        Assert.Contains(missing.ToString(), await put.Content.ReadAsStringAsync());
        using var get = await Api.SendAsync(HttpMethod.Get, "/v2/app/manifests/x");
        await RegistryHttp.ExpectErrorAsync(get, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");

        // A blob in another repository is not enough.
        var elsewhere = await Api.PushBlobAsync("other", "{}"u8.ToArray());
        var second = ConfigOnly(elsewhere, 2);
        using var put2 = await Api.SendAsync(HttpMethod.Put, "/v2/app/manifests/y", RegistryHttp.Bytes(second, MediaTypes.OciManifest));
        await RegistryHttp.ExpectErrorAsync(put2, HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"schemaVersion\":1}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"sha256:12\",\"size\":1,\"mediaType\":\"x\"},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}")]
    public async Task Invalid_manifests_are_MANIFEST_INVALID(string body)
    {
        using var put = await Api.SendAsync(HttpMethod.Put, "/v2/app/manifests/bad", RegistryHttp.Bytes(Encoding.UTF8.GetBytes(body), MediaTypes.OciManifest));
        await RegistryHttp.ExpectErrorAsync(put, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
    }

    [Fact]
    public async Task Media_type_must_agree_with_content_type_and_tags_with_their_grammar()
    {
        var (bytes, _) = await Api.PushImageAsync("app", "ok");
        using var mismatch = await Api.SendAsync(HttpMethod.Put, "/v2/app/manifests/t", RegistryHttp.Bytes(bytes, MediaTypes.DockerManifest));
        await RegistryHttp.ExpectErrorAsync(mismatch, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
        using var badTag = await Api.SendAsync(HttpMethod.Put, "/v2/app/manifests/-tag", RegistryHttp.Bytes(bytes, MediaTypes.OciManifest));
        await RegistryHttp.ExpectErrorAsync(badTag, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
    }

    [Fact]
    public async Task Put_by_digest_must_match_the_bytes()
    {
        var (bytes, digest) = await Api.PushImageAsync("app", "v1");
        var wrong = Digest.Compute("other"u8);
        using var put = await Api.SendAsync(HttpMethod.Put, $"/v2/app/manifests/{wrong}", RegistryHttp.Bytes(bytes, MediaTypes.OciManifest));
        await RegistryHttp.ExpectErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.Equal(digest, await Api.PushManifestAsync("app", digest.ToString(), bytes, MediaTypes.OciManifest));
        var d512 = Digest.Compute(bytes, Digest.Sha512);
        Assert.Equal(d512, await Api.PushManifestAsync("app", d512.ToString(), bytes, MediaTypes.OciManifest));
        using var get = await Api.SendAsync(HttpMethod.Get, $"/v2/app/manifests/{d512}");
        Assert.Equal(bytes, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Large_manifests_up_to_4_MiB_are_accepted_and_bigger_refused()
    {
        var config = await Api.PushBlobAsync("big", "{}"u8.ToArray());
        byte[] Manifest(int targetSize)
        {
            var annotation = new string('x', targetSize);
            var probe = JsonSerializer.SerializeToUtf8Bytes(new
            {
                schemaVersion = 2, mediaType = MediaTypes.OciManifest,
                config = new { mediaType = MediaTypes.OciConfig, digest = config.ToString(), size = 2 },
                layers = Array.Empty<object>(),
                annotations = new Dictionary<string, string> { ["pad"] = annotation },
            });
            return probe;
        }
        var near = Manifest((4 << 20) - 1000);
        Assert.InRange(near.Length, (4 << 20) - 1000, 4 << 20);
        var digest = await Api.PushManifestAsync("big", "near", near, MediaTypes.OciManifest);
        using (var get = await Api.SendAsync(HttpMethod.Get, $"/v2/big/manifests/{digest}")) Assert.Equal(near, await get.Content.ReadAsByteArrayAsync());

        var over = Manifest((4 << 20) + 10);
        using var put = await Api.SendAsync(HttpMethod.Put, "/v2/big/manifests/over", RegistryHttp.Bytes(over, MediaTypes.OciManifest));
        await RegistryHttp.ExpectErrorAsync(put, HttpStatusCode.RequestEntityTooLarge, "MANIFEST_INVALID");
    }

    [Fact]
    public async Task Delete_by_tag_and_by_digest()
    {
        var (_, digest) = await Api.PushImageAsync("app", "v1");
        using (var tag2 = await Api.SendAsync(HttpMethod.Put, "/v2/app/manifests/v2",
                   RegistryHttp.Bytes(await (await Api.SendAsync(HttpMethod.Get, "/v2/app/manifests/v1")).Content.ReadAsByteArrayAsync(), MediaTypes.OciManifest)))
            await RegistryHttp.ExpectAsync(tag2, HttpStatusCode.Created);

        using (var del = await Api.SendAsync(HttpMethod.Delete, "/v2/app/manifests/v1")) await RegistryHttp.ExpectAsync(del, HttpStatusCode.Accepted);
        using (var gone = await Api.SendAsync(HttpMethod.Get, "/v2/app/manifests/v1")) await RegistryHttp.ExpectErrorAsync(gone, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using (var kept = await Api.SendAsync(HttpMethod.Get, $"/v2/app/manifests/{digest}")) await RegistryHttp.ExpectAsync(kept, HttpStatusCode.OK);

        using (var del = await Api.SendAsync(HttpMethod.Delete, $"/v2/app/manifests/{digest}")) await RegistryHttp.ExpectAsync(del, HttpStatusCode.Accepted);
        using (var gone = await Api.SendAsync(HttpMethod.Get, $"/v2/app/manifests/{digest}")) await RegistryHttp.ExpectErrorAsync(gone, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using (var tagGone = await Api.SendAsync(HttpMethod.Get, "/v2/app/manifests/v2")) await RegistryHttp.ExpectErrorAsync(tagGone, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using (var again = await Api.SendAsync(HttpMethod.Delete, $"/v2/app/manifests/{digest}")) await RegistryHttp.ExpectErrorAsync(again, HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task Tags_list_paginates_with_n_last_and_Link()
    {
        var (bytes, _) = await Api.PushImageAsync("app", "a");
        foreach (var tag in new[] { "e", "c", "b", "d" }) await Api.PushManifestAsync("app", tag, bytes, MediaTypes.OciManifest);

        async Task<(string[] Tags, string? Next)> Page(string url)
        {
            using var response = await Api.SendAsync(HttpMethod.Get, url);
            await RegistryHttp.ExpectAsync(response, HttpStatusCode.OK);
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("app", json["name"]!.GetValue<string>());
            var tags = json["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray();
            return (tags, response.Headers.TryGetValues("Link", out var link) ? LinkHeader.ParseNext(link.Single()) : null);
        }

        Assert.Equal(["a", "b", "c", "d", "e"], (await Page("/v2/app/tags/list")).Tags);
        var first = await Page("/v2/app/tags/list?n=2");
        Assert.Equal(["a", "b"], first.Tags);
        Assert.Equal("/v2/app/tags/list?n=2&last=b", first.Next);
        var second = await Page(first.Next!);
        Assert.Equal(["c", "d"], second.Tags);
        var third = await Page(second.Next!);
        Assert.Equal(["e"], third.Tags);
        Assert.Null(third.Next);
        Assert.Equal(["d", "e"], (await Page("/v2/app/tags/list?last=c")).Tags);
        Assert.Empty((await Page("/v2/app/tags/list?n=0")).Tags);

        using var unknown = await Api.SendAsync(HttpMethod.Get, "/v2/nobody/tags/list");
        await RegistryHttp.ExpectErrorAsync(unknown, HttpStatusCode.NotFound, "NAME_UNKNOWN");
    }

    [Fact]
    public async Task Catalog_lists_repositories_with_pagination()
    {
        foreach (var repo in new[] { "c/x", "a", "b" }) await Api.PushBlobAsync(repo, [1]);
        using var all = await Api.SendAsync(HttpMethod.Get, "/v2/_catalog");
        var names = JsonNode.Parse(await all.Content.ReadAsStringAsync())!["repositories"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(["a", "b", "c/x"], names);
        using var page = await Api.SendAsync(HttpMethod.Get, "/v2/_catalog?n=1&last=a");
        Assert.Equal(["b"], JsonNode.Parse(await page.Content.ReadAsStringAsync())!["repositories"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("/v2/_catalog?n=1&last=b", LinkHeader.ParseNext(page.Headers.GetValues("Link").Single()));
    }

    [Fact]
    public async Task Artifacts_with_subject_are_listed_by_the_referrers_api()
    {
        var (_, subject) = await Api.PushImageAsync("art", "v1");
        var empty = await Api.PushBlobAsync("art", "{}"u8.ToArray());
        async Task<Digest> PushArtifact(string artifactType, string note)
        {
            var blob = await Api.PushBlobAsync("art", Encoding.UTF8.GetBytes(note));
            var manifest = JsonSerializer.SerializeToUtf8Bytes(new
            {
                schemaVersion = 2, mediaType = MediaTypes.OciManifest, artifactType,
                config = new { mediaType = MediaTypes.OciEmpty, digest = empty.ToString(), size = 2 },
                layers = new[] { new { mediaType = "text/plain", digest = blob.ToString(), size = note.Length } },
                subject = new { mediaType = MediaTypes.OciManifest, digest = subject.ToString(), size = 1 },
                annotations = new Dictionary<string, string> { ["note"] = note },
            });
            using var put = await Api.SendAsync(HttpMethod.Put, $"/v2/art/manifests/{Digest.Compute(manifest)}", RegistryHttp.Bytes(manifest, MediaTypes.OciManifest));
            await RegistryHttp.ExpectAsync(put, HttpStatusCode.Created);
            Assert.Equal(subject.ToString(), put.Headers.GetValues(RegistryHeaders.OciSubject).Single());
            return Digest.Compute(manifest);
        }
        var sbom = await PushArtifact("application/vnd.example.sbom", "sbom");
        var sig = await PushArtifact("application/vnd.example.sig", "signature");

        async Task<(JsonArray Manifests, HttpResponseMessage Response)> Referrers(string query)
        {
            var response = await Api.SendAsync(HttpMethod.Get, $"/v2/art/referrers/{subject}{query}");
            await RegistryHttp.ExpectAsync(response, HttpStatusCode.OK);
            Assert.Equal(MediaTypes.OciIndex, response.Content.Headers.ContentType!.MediaType);
            var index = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(2, index["schemaVersion"]!.GetValue<int>());
            return (index["manifests"]!.AsArray(), response);
        }

        var (all, allResponse) = await Referrers("");
        Assert.Equal(new[] { sbom, sig }.Select(d => d.ToString()).Order(), all.Select(m => m!["digest"]!.GetValue<string>()).Order());
        Assert.False(allResponse.Headers.Contains(RegistryHeaders.OciFiltersApplied));
        var sbomEntry = all.Single(m => m!["digest"]!.GetValue<string>() == sbom.ToString())!;
        Assert.Equal("application/vnd.example.sbom", sbomEntry["artifactType"]!.GetValue<string>());
        Assert.Equal("sbom", sbomEntry["annotations"]!["note"]!.GetValue<string>());

        var (filtered, filteredResponse) = await Referrers("?artifactType=application/vnd.example.sig");
        Assert.Equal(sig.ToString(), filtered.Single()!["digest"]!.GetValue<string>());
        Assert.Equal("artifactType", filteredResponse.Headers.GetValues(RegistryHeaders.OciFiltersApplied).Single());

        // No referrers: an empty index, not an error; the subject need not even exist.
        var (none, _) = await Referrers("?artifactType=none");
        Assert.Empty(none);
        using var unknownSubject = await Api.SendAsync(HttpMethod.Get, $"/v2/art/referrers/{Digest.Compute("x"u8)}");
        await RegistryHttp.ExpectAsync(unknownSubject, HttpStatusCode.OK);
        using var bad = await Api.SendAsync(HttpMethod.Get, "/v2/art/referrers/sha256:nope");
        await RegistryHttp.ExpectErrorAsync(bad, HttpStatusCode.BadRequest, "DIGEST_INVALID");

        // Deleting a referrer removes it from the list.
        using (var del = await Api.SendAsync(HttpMethod.Delete, $"/v2/art/manifests/{sig}")) await RegistryHttp.ExpectAsync(del, HttpStatusCode.Accepted);
        Assert.Single((await Referrers("")).Manifests);
    }

    [Fact]
    public async Task An_artifact_without_artifactType_takes_its_config_media_type()
    {
        var config = await Api.PushBlobAsync("art", "{\"k\":1}"u8.ToArray());
        var (_, subject) = await Api.PushImageAsync("art", "base");
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2, mediaType = MediaTypes.OciManifest,
            config = new { mediaType = "application/vnd.example.config", digest = config.ToString(), size = 7 },
            layers = Array.Empty<object>(),
            subject = new { mediaType = MediaTypes.OciManifest, digest = subject.ToString(), size = 1 },
        });
        await Api.PushManifestAsync("art", "cfg", manifest, MediaTypes.OciManifest);
        using var response = await Api.SendAsync(HttpMethod.Get, $"/v2/art/referrers/{subject}?artifactType=application/vnd.example.config");
        Assert.Single(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["manifests"]!.AsArray());
    }
}
