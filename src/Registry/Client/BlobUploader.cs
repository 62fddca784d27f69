using System.Net;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Registry.Distribution;

namespace Images.Registry.Client;

/// <summary>
/// Sends one blob into an upload session: small blobs in the closing PUT, larger ones as PATCH chunks with
/// <c>Content-Range</c>. When a connection drops mid-chunk, it asks the registry where the upload stands
/// (GET on the session: 204 with <c>Range: 0-N</c>) and continues from byte N+1.
/// </summary>
internal sealed class BlobUploader(RegistrySession session, RegistryClientOptions options, Func<Stream> open, Descriptor blob, Action<long> sent)
{
    /// <summary>Bytes put on the wire, resent ones included.</summary>
    public long BytesSent { get; private set; }

    public async Task UploadAsync(Uri location, CancellationToken ct)
    {
        if (blob.Size <= options.MonolithicLimit)
        {
            await CloseAsync(location, 0, blob.Size, ct).ConfigureAwait(false);
            return;
        }
        long offset = 0;
        int resumes = 0;
        while (offset < blob.Size)
        {
            long length = Math.Min(options.ChunkSize, blob.Size - offset);
            try
            {
                location = await PatchAsync(location, offset, length, ct).ConfigureAwait(false);
                offset += length;
            }
            catch (Exception e) when (IsDropped(e, ct) && resumes < options.MaxResumes)
            {
                resumes++;
                await Task.Delay(TimeSpan.FromMilliseconds(200 * resumes), ct).ConfigureAwait(false);
                (location, offset) = await StatusAsync(location, e, ct).ConfigureAwait(false);
            }
        }
        await CloseAsync(location, offset, 0, ct).ConfigureAwait(false);
    }

    /// <summary>A connection that broke (not a refusal by the registry, not our own cancellation).</summary>
    private static bool IsDropped(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && e is HttpRequestException { StatusCode: null } or IOException or TaskCanceledException;

    private async Task<Uri> PatchAsync(Uri location, long offset, long length, CancellationToken ct)
    {
        using var response = await session.SendAsync(() =>
        {
            var content = new BlobRangeContent(open, offset, length, Sent);
            content.Headers.TryAddWithoutValidation("Content-Range", new ByteRange(offset, offset + length - 1).ToUploadChunk());
            return new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
        }, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw await session.ErrorAsync(response, $"upload bytes {offset}-{offset + length - 1} of blob {blob.Digest}", blob.Digest).ConfigureAwait(false);
        return NextLocation(response, location);
    }

    /// <summary>Where the upload stands after a dropped connection: the next offset, from the registry's Range header.</summary>
    private async Task<(Uri Location, long Offset)> StatusAsync(Uri location, Exception dropped, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, location), ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryClientException(
                $"registry {session.Registry}, repository {session.Repository}: the upload of blob {blob.Digest} lost its connection ({dropped.Message}) " +
                $"and its status cannot be read: {e.Message}", e) { Digest = blob.Digest };
        }
        using (response)
        {
            if (response.StatusCode is not (HttpStatusCode.NoContent or HttpStatusCode.OK))
                throw await session.ErrorAsync(response, $"resume the upload of blob {blob.Digest} after a dropped connection ({dropped.Message})", blob.Digest).ConfigureAwait(false);
            string? progress = response.Headers.TryGetValues("Range", out var values) ? values.FirstOrDefault() : null;
            if (progress is not null && !ByteRange.TryParseUploadProgress(progress, out _))
                throw new RegistryClientException(
                    $"registry {session.Registry}, repository {session.Repository}: the upload status of blob {blob.Digest} has a Range header \"{progress}\" that is not \"0-<last byte>\"")
                { Digest = blob.Digest };
            ByteRange.TryParseUploadProgress(progress, out long next);
            // "0-0" also means "nothing yet" (distribution and our server answer it for an empty upload): resend byte 0.
            if (next == 1) next = 0;
            if (next > blob.Size)
                throw new RegistryClientException(
                    $"registry {session.Registry}, repository {session.Repository}: the upload of blob {blob.Digest} reports {next} bytes received, more than its {blob.Size}")
                { Digest = blob.Digest };
            return (NextLocation(response, location), next);
        }
    }

    /// <summary>The closing PUT <c>?digest=</c>, carrying <c>[offset, offset+length)</c> (the whole small blob, or nothing).</summary>
    private async Task CloseAsync(Uri location, long offset, long length, CancellationToken ct)
    {
        var url = WithQuery(location, "digest=" + Uri.EscapeDataString(blob.Digest.ToString()));
        using var response = await session.SendAsync(() =>
        {
            HttpContent content = length > 0
                ? new BlobRangeContent(open, offset, length, Sent)
                : new ByteArrayContent([]) { Headers = { ContentLength = 0, ContentType = new("application/octet-stream") } };
            return new HttpRequestMessage(HttpMethod.Put, url) { Content = content };
        }, ct).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK))
            throw await session.ErrorAsync(response, $"finish the upload of blob {blob.Digest}", blob.Digest).ConfigureAwait(false);
        if (response.Headers.TryGetValues(RegistryHeaders.ContentDigest, out var digests) && Digest.TryParse(digests.FirstOrDefault(), out var stored) && stored != blob.Digest)
            throw new RegistryClientException(
                $"registry {session.Registry}, repository {session.Repository}: stored blob {blob.Digest} under {stored}; the registry is faulty")
            { Digest = blob.Digest };
    }

    private void Sent(long bytes)
    {
        BytesSent += bytes;
        sent(bytes);
    }

    private Uri NextLocation(HttpResponseMessage response, Uri current) =>
        response.Headers.Location is { } next ? session.Resolve(next) : current;

    internal static Uri WithQuery(Uri location, string parameter)
    {
        var builder = new UriBuilder(location);
        string query = builder.Query.TrimStart('?');
        builder.Query = query.Length == 0 ? parameter : query + "&" + parameter;
        return builder.Uri;
    }
}
