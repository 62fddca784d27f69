using Images.Core.Digests;
using Images.Registry.Distribution;
using Images.Registry.Server.Auth;
using Images.Store.Registry;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Server.Endpoints;

/// <summary>
/// Blob uploads: <c>POST /v2/&lt;name&gt;/blobs/uploads/</c> (a session; monolithic with <c>?digest=</c>; cross-repository
/// <c>?mount=&amp;from=</c>, falling back to a session when the source does not hold the blob), then on
/// <c>/uploads/&lt;id&gt;</c>: PATCH (a chunk, which must start where the upload stands: else 416), PUT (last chunk and
/// digest), GET (204 with progress), DELETE.
/// </summary>
internal static class UploadEndpoints
{
    public static async Task StartAsync(RegistryContext registry, HttpContext context, RegistryRoute route, bool open)
    {
        var query = context.Request.Query;
        var response = context.Response;
        string? mount = query["mount"];
        if (!string.IsNullOrEmpty(mount))
        {
            var digest = DigestParameter.Parse(mount, "mount");
            string? from = query["from"];
            if (!string.IsNullOrEmpty(from) && RepositoryName.IsValid(from) &&
                AccessControl.Allows(context, AccessScope.Repository(from, AccessScope.Pull), open) && registry.Store.Registry.GetBlob(from, digest) is not null &&
                registry.Store.Registry.LinkBlob(route.Name, digest))
            {
                Created(response, route.Name, digest);
                return;
            }
            // Not mountable (unknown source, or it lacks the blob): the spec's fallback is an ordinary session.
        }

        string? digestText = query["digest"];
        if (!string.IsNullOrEmpty(digestText))
        {
            var digest = DigestParameter.Parse(digestText);
            var blob = await registry.Driver.PutAsync(route.Name, context.Request.Body, digest, context.Request.ContentLength, context.RequestAborted);
            Created(response, route.Name, blob.Digest);
            return;
        }

        var session = registry.Store.Registry.StartUpload(route.Name);
        Progress(response, route.Name, session.Id, 0, StatusCodes.Status202Accepted);
    }

    public static async Task PatchAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        using var upload = Open(registry, route);
        var request = context.Request;
        string? contentRange = request.Headers.ContentRange;
        if (!string.IsNullOrEmpty(contentRange))
        {
            if (!ByteRange.TryParseUploadChunk(contentRange, out var range))
                throw new RegistryException(ErrorCode.BlobUploadRange, $"Content-Range \"{contentRange}\" is not \"<start>-<end>\"");
            if (range.First != upload.Size)
                throw new RegistryException(ErrorCode.BlobUploadRange,
                    $"chunk starts at {range.First} but upload {route.Reference} holds {upload.Size} bytes: send the chunk that starts at {upload.Size}");
            if (request.ContentLength is { } length && length != range.Length)
                throw new RegistryException(ErrorCode.SizeInvalid, $"Content-Length {length} differs from the Content-Range's {range.Length} bytes");
        }
        long before = upload.Size;
        long received = await BodyStreams.CopyRequestAsync(request, upload, context.RequestAborted);
        if (request.ContentLength is { } declared && declared != received)
            throw new RegistryException(ErrorCode.SizeInvalid, $"received {received} bytes but Content-Length said {declared}");
        await upload.FlushAsync(context.RequestAborted);
        Progress(context.Response, route.Name, route.Reference, before + received, StatusCodes.Status202Accepted);
    }

    public static async Task PutAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        string? digestText = context.Request.Query["digest"];
        if (string.IsNullOrEmpty(digestText))
            throw new RegistryException(ErrorCode.DigestInvalid, "the final PUT of an upload needs ?digest=<digest of the whole blob>");
        var digest = DigestParameter.Parse(digestText);
        using var upload = Open(registry, route);
        var request = context.Request;
        string? contentRange = request.Headers.ContentRange;
        if (!string.IsNullOrEmpty(contentRange) && ByteRange.TryParseUploadChunk(contentRange, out var range) && range.First != upload.Size)
            throw new RegistryException(ErrorCode.BlobUploadRange,
                $"last chunk starts at {range.First} but upload {route.Reference} holds {upload.Size} bytes");
        long received = await BodyStreams.CopyRequestAsync(request, upload, context.RequestAborted);
        if (request.ContentLength is { } declared && declared != received)
            throw new RegistryException(ErrorCode.SizeInvalid, $"received {received} bytes but Content-Length said {declared}");
        var blob = upload.Complete(digest);
        Created(context.Response, route.Name, blob.Digest);
    }

    public static Task StatusAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        var session = registry.Store.Registry.GetUpload(route.Name, route.Reference) ?? throw Unknown(route);
        Progress(context.Response, route.Name, session.Id, session.Size, StatusCodes.Status204NoContent);
        return Task.CompletedTask;
    }

    public static Task CancelAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        if (!registry.Store.Registry.CancelUpload(route.Name, route.Reference)) throw Unknown(route);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static UploadWriter Open(RegistryContext registry, RegistryRoute route) =>
        registry.Driver.Writer(route.Name, route.Reference) ?? throw Unknown(route);

    private static RegistryException Unknown(RegistryRoute route) =>
        new(ErrorCode.BlobUploadUnknown, $"upload {route.Reference} of repository {route.Name} is unknown or expired: start a new one with POST /v2/{route.Name}/blobs/uploads/");

    private static void Created(HttpResponse response, string name, Digest digest)
    {
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/v2/{name}/blobs/{digest}";
        response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
        response.ContentLength = 0;
    }

    private static void Progress(HttpResponse response, string name, string id, long size, int status)
    {
        response.StatusCode = status;
        response.Headers.Location = $"/v2/{name}/blobs/uploads/{id}";
        response.Headers.Range = ByteRange.UploadProgress(size);
        response.Headers[RegistryHeaders.UploadUuid] = id;
        response.ContentLength = 0;
    }

}
