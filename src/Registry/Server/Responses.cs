using System.Text.Json;
using Images.Registry.Distribution;
using Images.Store.Content;
using Images.Store.Registry;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Server;

/// <summary>Writing JSON bodies and turning failures into the spec's error responses (status from <see cref="ErrorCode"/>).</summary>
internal static class Responses
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static async Task JsonAsync<T>(HttpResponse response, T body, string contentType = "application/json", int status = 200)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, Json);
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes);
    }

    /// <summary>Maps an exception to its registry error; null when it is not one the protocol names (a bug or I/O failure: 500).</summary>
    public static RegistryException? ToRegistryError(Exception e) => e switch
    {
        RegistryException r => r,
        DigestMismatchException m => new RegistryException(ErrorCode.DigestInvalid, m.Message),
        ManifestReferencesMissingException missing => new RegistryException(ErrorCode.ManifestBlobUnknown, missing.Message,
            missing.Missing.Select(d => d.ToString()).ToArray()),
        UploadBusyException busy => new RegistryException(ErrorCode.BlobUploadRange, busy.Message),
        BlobNotFoundException blob => new RegistryException(ErrorCode.BlobUnknown, blob.Message),
        _ => null,
    };

    public static async Task ErrorAsync(HttpContext context, RegistryException error)
    {
        var response = context.Response;
        if (response.HasStarted) return; // mid-body: the connection is aborted by the caller
        response.StatusCode = (int)error.Code.Status;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            response.ContentLength = 0;
            return;
        }
        var bytes = ErrorBody.From(error).ToUtf8();
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes);
    }
}
