using Images.Registry.Distribution;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Server.Endpoints;

/// <summary><c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>: GET (whole or one Range: 206/416), HEAD, DELETE (unlinks it from the repository).</summary>
internal static class BlobEndpoints
{
    public static async Task GetAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        var digest = DigestParameter.Parse(route.Reference);
        var blob = registry.Store.Registry.GetBlob(route.Name, digest)
            ?? throw new RegistryException(ErrorCode.BlobUnknown, $"blob {digest} is not in repository {route.Name}");
        var response = context.Response;
        response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = $"\"{digest}\"";
        response.ContentType = "application/octet-stream";

        long offset = 0, count = blob.Size;
        try
        {
            if (ByteRange.TryParseRequest(context.Request.Headers.Range, blob.Size, out var range))
            {
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = range.ToContentRange(blob.Size);
                offset = range.First;
                count = range.Length;
            }
        }
        catch (RegistryException) when (!HttpMethods.IsHead(context.Request.Method))
        {
            response.Headers.ContentRange = ByteRange.UnsatisfiedContentRange(blob.Size);
            throw;
        }
        response.ContentLength = count;
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await using var stream = registry.Driver.Reader(digest, offset);
        await BodyStreams.SendAsync(stream, count, response, context.RequestAborted);
    }

    public static Task DeleteAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        var digest = DigestParameter.Parse(route.Reference);
        if (!registry.Store.Registry.UnlinkBlob(route.Name, digest))
            throw new RegistryException(ErrorCode.BlobUnknown, $"blob {digest} is not in repository {route.Name}");
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }
}
