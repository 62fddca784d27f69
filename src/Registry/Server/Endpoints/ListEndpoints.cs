using System.Globalization;
using System.Text.Json.Serialization;
using Images.Registry.Distribution;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Server.Endpoints;

/// <summary><c>/v2/&lt;name&gt;/tags/list</c> and <c>/v2/_catalog</c>, paginated by <c>n</c> and <c>last</c> with a <c>Link</c> to the next page.</summary>
internal static class ListEndpoints
{
    public static Task TagsAsync(RegistryContext registry, HttpContext context, RegistryRoute route)
    {
        if (!registry.Store.Registry.RepositoryExists(route.Name))
            throw new RegistryException(ErrorCode.NameUnknown, $"repository {route.Name} is not known to this registry");
        var (n, last) = Page(registry, context.Request);
        var tags = registry.Store.Registry.Tags(route.Name, last, n + 1);
        Link(context, tags, n, $"/v2/{route.Name}/tags/list");
        return Responses.JsonAsync(context.Response, new TagList(route.Name, tags.Take(n).ToList()));
    }

    public static Task CatalogAsync(RegistryContext registry, HttpContext context)
    {
        var (n, last) = Page(registry, context.Request);
        var names = registry.Store.Registry.Repositories(last, n + 1);
        Link(context, names, n, "/v2/_catalog");
        return Responses.JsonAsync(context.Response, new Catalog(names.Take(n).ToList()));
    }

    private static (int N, string? Last) Page(RegistryContext registry, HttpRequest request)
    {
        int max = registry.Options.MaxPageSize;
        string? nText = request.Query["n"];
        int n = max;
        if (!string.IsNullOrEmpty(nText) && (!int.TryParse(nText, NumberStyles.None, CultureInfo.InvariantCulture, out n)))
            throw new RegistryException(ErrorCode.Unsupported, $"n=\"{nText}\" is not a page size (a non-negative integer)");
        string? last = request.Query["last"];
        return (Math.Min(n, max), string.IsNullOrEmpty(last) ? null : last);
    }

    /// <summary>One item more than the page was fetched: when it came, there is a next page after the page's last item.</summary>
    private static void Link(HttpContext context, IReadOnlyList<string> items, int n, string path)
    {
        if (items.Count <= n || n == 0) return;
        context.Response.Headers.Link = LinkHeader.Next($"{path}?n={n}&last={Uri.EscapeDataString(items[n - 1])}");
    }

    private sealed record TagList([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags);

    private sealed record Catalog([property: JsonPropertyName("repositories")] IReadOnlyList<string> Repositories);
}
