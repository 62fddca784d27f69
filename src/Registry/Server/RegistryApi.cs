using Images.Registry.Distribution;
using Images.Registry.Server.Auth;
using Images.Registry.Server.Endpoints;
using Microsoft.AspNetCore.Http;

namespace Images.Registry.Server;

/// <summary>
/// The <c>/v2/</c> dispatcher: parses the route (names hold slashes, so one catch-all route reads it from the right),
/// checks access and read-only mode, runs the endpoint, and answers every failure as the spec's error JSON.
/// </summary>
internal sealed class RegistryApi(RegistryContext registry, AccessControl access)
{
    private readonly SemaphoreSlim? _slots = registry.Options.MaxConcurrentRequests is { } n ? new SemaphoreSlim(n, n) : null;

    public async Task HandleAsync(HttpContext context, string? path)
    {
        var response = context.Response;
        response.Headers[RegistryHeaders.ApiVersion] = RegistryHeaders.ApiVersionValue;
        if (_slots is not null && !_slots.Wait(0))
        {
            response.Headers.RetryAfter = "1";
            await Responses.ErrorAsync(context, new RegistryException(ErrorCode.TooManyRequests,
                $"the registry is serving its limit of {registry.Options.MaxConcurrentRequests} requests: retry in a second"));
            return;
        }
        try
        {
            await HandleRouteAsync(context, path);
        }
        finally
        {
            _slots?.Release();
        }
    }

    private async Task HandleRouteAsync(HttpContext context, string? path)
    {
        var response = context.Response;
        string method = context.Request.Method;
        try
        {
            var route = RegistryRoute.Parse(path);
            if (route is null)
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            if (!await access.AuthorizeAsync(context, Needed(route, method))) return;
            if (registry.Options.ReadOnly && RegistryRoute.IsWrite(method))
                throw new RegistryException(ErrorCode.Unsupported, "this registry is read-only (started with --read-only)");
            await Dispatch(context, route, method);
        }
        catch (Exception e) when (Responses.ToRegistryError(e) is { } error)
        {
            await Responses.ErrorAsync(context, error);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer. An upload keeps what arrived, a blob is only stored complete.
        }
        catch (Exception e) when (!response.HasStarted && e is not OperationCanceledException)
        {
            await Responses.ErrorAsync(context, new RegistryException(ErrorCode.Unknown, $"{e.GetType().Name}: {e.Message}"));
        }
    }

    private Task Dispatch(HttpContext context, RegistryRoute route, string method)
    {
        Task Unsupported() => throw new RegistryException(ErrorCode.Unsupported, $"{method} is not supported on {context.Request.Path}");
        bool read = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        return route.Kind switch
        {
            RouteKind.Base when read => Base(context),
            RouteKind.Catalog when read => ListEndpoints.CatalogAsync(registry, context),
            RouteKind.Tags when HttpMethods.IsGet(method) => ListEndpoints.TagsAsync(registry, context, route),
            RouteKind.Manifest when read => ManifestEndpoints.GetAsync(registry, context, route),
            RouteKind.Manifest when HttpMethods.IsPut(method) => ManifestEndpoints.PutAsync(registry, context, route),
            RouteKind.Manifest when HttpMethods.IsDelete(method) => ManifestEndpoints.DeleteAsync(registry, context, route),
            RouteKind.Referrers when HttpMethods.IsGet(method) => ManifestEndpoints.ReferrersAsync(registry, context, route),
            RouteKind.Blob when read => BlobEndpoints.GetAsync(registry, context, route),
            RouteKind.Blob when HttpMethods.IsDelete(method) => BlobEndpoints.DeleteAsync(registry, context, route),
            RouteKind.UploadStart when HttpMethods.IsPost(method) => UploadEndpoints.StartAsync(registry, context, route, access.IsOpen),
            RouteKind.Upload when HttpMethods.IsPatch(method) => UploadEndpoints.PatchAsync(registry, context, route),
            RouteKind.Upload when HttpMethods.IsPut(method) => UploadEndpoints.PutAsync(registry, context, route),
            RouteKind.Upload when HttpMethods.IsGet(method) => UploadEndpoints.StatusAsync(registry, context, route),
            RouteKind.Upload when HttpMethods.IsDelete(method) => UploadEndpoints.CancelAsync(registry, context, route),
            _ => Unsupported(),
        };
    }

    private static Task Base(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 2;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync("{}");
    }

    /// <summary>The scope a request needs: pull to read, push to write, delete to delete; the catalog its own; /v2/ only a login.</summary>
    private static AccessScope? Needed(RegistryRoute route, string method) => route.Kind switch
    {
        RouteKind.Base => null,
        RouteKind.Catalog => AccessScope.Catalog(),
        _ when HttpMethods.IsDelete(method) => AccessScope.Repository(route.Name, AccessScope.Delete),
        _ when RegistryRoute.IsWrite(method) => AccessScope.Repository(route.Name, AccessScope.Pull, AccessScope.Push),
        _ => AccessScope.Repository(route.Name, AccessScope.Pull),
    };
}
