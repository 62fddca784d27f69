using System.Net;

namespace Images.Deploy.Node;

/// <summary>A deploy or rollback the target refused or that failed, with the HTTP status the node API answers.</summary>
public sealed class DeployException(HttpStatusCode status, string message, string? logs = null) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The new container's last output when it did not become healthy.</summary>
    public string? Logs { get; } = logs;
}
