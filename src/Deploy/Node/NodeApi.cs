using System.Net;
using System.Text.Json;
using Images.Deploy.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Images.Deploy.Node;

/// <summary>
/// Maps the node API (<see cref="NodeRoutes"/>) onto a server; <c>images serve</c> adds it next to <c>/v2/</c>, where
/// the registry's authentication guards it too. Deploys run to their end even when the caller goes away: a switch
/// half done is worse than a deploy nobody watched.
/// </summary>
public static class NodeApi
{
    /// <summary>How long a rolled-back release must keep running before the switch back.</summary>
    public static TimeSpan RollbackSettle { get; set; } = TimeSpan.FromSeconds(1);

    public static Action<IEndpointRouteBuilder> Map(Deployer deployer)
    {
        ArgumentNullException.ThrowIfNull(deployer);
        return routes =>
        {
            routes.MapGet(NodeRoutes.Apps, () => Results.Json(deployer.List(), NodeJson.Options));
            routes.MapPost(NodeRoutes.Apps + "/{app}/prepare", (string app, HttpContext context) =>
                Handle(context, async () => deployer.Prepare(app, await ReadAsync<PrepareRequest>(context))));
            routes.MapPost(NodeRoutes.Apps + "/{app}/releases", (string app, HttpContext context) =>
                Handle(context, async () =>
                {
                    var request = await ReadAsync<DeployRequest>(context);
                    return await Task.Run(() => deployer.Deploy(app, request), CancellationToken.None);
                }));
            routes.MapPost(NodeRoutes.Apps + "/{app}/rollback", (string app, HttpContext context) =>
                Handle(context, () => Task.Run(() => deployer.Rollback(app, RollbackSettle), CancellationToken.None)));
        };
    }

    private static async Task<IResult> Handle<T>(HttpContext context, Func<Task<T>> action)
    {
        try
        {
            return Results.Json(await action(), NodeJson.Options);
        }
        catch (DeployException e)
        {
            return Error(e.Status, e.Message, e.Logs);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            return Error(HttpStatusCode.BadRequest, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Error(HttpStatusCode.InternalServerError, $"{context.Request.Method} {context.Request.Path} failed on the target: {e.Message}");
        }
    }

    private static IResult Error(HttpStatusCode status, string message, string? logs = null) =>
        Results.Json(new NodeError(message, logs), NodeJson.Options, statusCode: (int)status);

    /// <summary>Node messages are small: more than 1 MiB is refused rather than buffered.</summary>
    private static async Task<T> ReadAsync<T>(HttpContext context)
    {
        if (context.Request.ContentLength is > (1 << 20))
            throw new ArgumentException($"request body of {context.Request.ContentLength} bytes is too large for the node API (limit 1 MiB)");
        return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, NodeJson.Options, context.RequestAborted)
               ?? throw new ArgumentException("the request body is empty; send a JSON object");
    }
}
