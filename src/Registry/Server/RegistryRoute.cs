using Images.Registry.Distribution;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Server;

/// <summary>What a <c>/v2/...</c> path addresses. Repository names hold slashes, so the kind is read from the right.</summary>
internal enum RouteKind { Base, Catalog, Tags, Manifest, Blob, UploadStart, Upload, Referrers }

internal sealed record RegistryRoute(RouteKind Kind, string Name, string Reference)
{
    /// <summary>Parses the part after <c>/v2/</c>; null when it addresses nothing of the API (404 NOT FOUND).</summary>
    public static RegistryRoute? Parse(string? path)
    {
        path ??= "";
        if (path.Length == 0) return new(RouteKind.Base, "", "");
        if (path == "_catalog") return new(RouteKind.Catalog, "", "");
        bool trailingSlash = path.EndsWith('/');
        var segments = path.TrimEnd('/').Split('/');
        int n = segments.Length;
        if (n >= 3 && segments[n - 2] == "tags" && segments[n - 1] == "list") return Make(RouteKind.Tags, segments, n - 2, "");
        if (n >= 3 && segments[n - 2] == "blobs" && segments[n - 1] == "uploads") return Make(RouteKind.UploadStart, segments, n - 2, "");
        if (trailingSlash) return null;
        if (n >= 4 && segments[n - 3] == "blobs" && segments[n - 2] == "uploads") return Make(RouteKind.Upload, segments, n - 3, segments[n - 1]);
        if (n >= 3 && segments[n - 2] == "manifests") return Make(RouteKind.Manifest, segments, n - 2, segments[n - 1]);
        if (n >= 3 && segments[n - 2] == "blobs") return Make(RouteKind.Blob, segments, n - 2, segments[n - 1]);
        if (n >= 3 && segments[n - 2] == "referrers") return Make(RouteKind.Referrers, segments, n - 2, segments[n - 1]);
        return null;
    }

    private static RegistryRoute Make(RouteKind kind, string[] segments, int nameEnd, string reference) =>
        new(kind, RepositoryName.Validate(string.Join('/', segments, 0, nameEnd)), reference);

    /// <summary>Whether the request changes the registry (refused read-only; needs the push scope).</summary>
    public static bool IsWrite(string method) => !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method));
}
