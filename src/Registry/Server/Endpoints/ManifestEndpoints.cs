using Images.Core.Digests;
using Images.Core.Oci;
using Images.Registry.Distribution;
using Images.Store.Registry;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Server.Endpoints;

/// <summary>
/// <c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c> by tag or digest: GET/HEAD return the exact bytes pushed, in their
/// own media type when the client's Accept takes it; PUT checks the manifest (size limit, shape, every referenced blob
/// and child manifest held by the repository) and answers <c>OCI-Subject</c> for one with a subject; DELETE by digest
/// removes the manifest and its tags, by tag only the tag. Plus <c>/v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>.
/// </summary>
internal static class ManifestEndpoints
{
    public static async Task GetAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        var manifest = Resolve(registry, route);
        var accept = context.Request.Headers.Accept;
        if (!ManifestMediaTypes.Accepts(accept, manifest.MediaType))
            throw new RegistryException(ErrorCode.ManifestUnknown,
                $"manifest {route.Name}:{route.Reference} is a {manifest.MediaType}, which the request's Accept ({accept}) does not take");
        var response = context.Response;
        response.ContentType = manifest.MediaType;
        response.ContentLength = manifest.Size;
        response.Headers[RegistryHeaders.ContentDigest] = manifest.Digest.ToString();
        response.Headers.ETag = $"\"{manifest.Digest}\"";
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await using var stream = registry.Driver.Reader(manifest.Digest, 0);
        await BodyStreams.SendAsync(stream, manifest.Size, response, context.RequestAborted);
    }

    public static async Task PutAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        var bytes = await BodyStreams.ReadSmallAsync(context.Request, registry.Options.MaxManifestBytes, context.RequestAborted);
        var facts = ManifestReader.Read(bytes, context.Request.ContentType);
        string? tag = null;
        Digest? named = null;
        if (DigestParameter.IsDigestReference(route.Reference))
        {
            named = DigestParameter.Parse(route.Reference);
            var actual = Digest.Compute(bytes, named.Value.Algorithm);
            if (actual != named)
                throw new RegistryException(ErrorCode.DigestInvalid, $"manifest pushed as {named} has the digest {actual}");
        }
        else tag = ValidTag(route.Reference);

        var stored = registry.Store.Registry.PutManifest(route.Name, bytes, facts, tag, named);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/v2/{route.Name}/manifests/{stored.Digest}";
        response.Headers[RegistryHeaders.ContentDigest] = stored.Digest.ToString();
        if (facts.Subject is { } subject) response.Headers[RegistryHeaders.OciSubject] = subject.ToString();
        response.ContentLength = 0;
    }

    public static Task DeleteAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        bool deleted = DigestParameter.IsDigestReference(route.Reference)
            ? registry.Store.Registry.DeleteManifest(route.Name, DigestParameter.Parse(route.Reference))
            : registry.Store.Registry.DeleteTag(route.Name, ValidTag(route.Reference));
        if (!deleted) throw new RegistryException(ErrorCode.ManifestUnknown, $"manifest {route.Name}:{route.Reference} is not in the registry");
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    public static Task ReferrersAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        var subject = DigestParameter.Parse(route.Reference);
        string? artifactType = context.Request.Query["artifactType"];
        if (string.IsNullOrEmpty(artifactType)) artifactType = null;
        var referrers = registry.Store.Registry.Referrers(route.Name, subject, artifactType);
        if (artifactType is not null) context.Response.Headers[RegistryHeaders.OciFiltersApplied] = "artifactType";
        var index = new ImageIndex
        {
            MediaType = MediaTypes.OciIndex,
            Manifests = referrers.Select(r => new Descriptor
            {
                MediaType = r.MediaType, Digest = r.Digest, Size = r.Size, ArtifactType = r.ArtifactType, Annotations = r.Annotations,
            }).ToList(),
        };
        return Responses.JsonAsync(context.Response, index, MediaTypes.OciIndex);
    }

    private static RepositoryManifest Resolve(RegistryContext registry, RegistryRoute route)
    {
        Digest? digest = DigestParameter.IsDigestReference(route.Reference)
            ? DigestParameter.Parse(route.Reference)
            : registry.Store.Registry.ResolveTag(route.Name, ValidTag(route.Reference));
        return (digest is { } d ? registry.Store.Registry.GetManifest(route.Name, d) : null)
            ?? throw new RegistryException(ErrorCode.ManifestUnknown, $"manifest {route.Name}:{route.Reference} is not in the registry");
    }

    private static string ValidTag(string tag) => RepositoryName.IsValidTag(tag)
        ? tag
        : throw new RegistryException(ErrorCode.ManifestInvalid, $"\"{tag}\" is not a valid tag (letters, digits, \"_\", \".\", \"-\"; at most 128; not starting with \".\" or \"-\")");
}
