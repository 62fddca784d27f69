using System.Text.Json;
using System.Text.Json.Serialization;

namespace Images.Deploy.Protocol;

/// <summary>The blobs (config and layers) of the image about to be deployed.</summary>
public sealed record PrepareRequest(IReadOnlyList<string> Blobs);

/// <summary>Which of the requested blobs the target lacks; the others are now in the app's repository.</summary>
public sealed record PrepareResponse(IReadOnlyList<string> Missing);

/// <summary>A release to make from a manifest already pushed to the app's repository.</summary>
public sealed record DeployRequest
{
    /// <summary>The manifest digest, pushed to the app's repository; the deploying client fills it in.</summary>
    public string Manifest { get; init; } = "";
    public IReadOnlyList<string> Env { get; init; } = [];
    public string Network { get; init; } = "host";
    /// <summary>Run in the new container (shell form) until it exits 0; null: healthy if still running after the timeout.</summary>
    public string? HealthCmd { get; init; }
    public double HealthTimeoutSeconds { get; init; } = 10;
    /// <summary>Releases to keep besides the live one (for rollbacks); older ones are removed.</summary>
    public int Keep { get; init; } = 2;
}

/// <summary>What a deploy or rollback did on the target.</summary>
public sealed record ReleaseReport(
    string App, int Release, string Image, string Container, int? Previous, string? PreviousContainer, string Health,
    IReadOnlyList<int> Pruned);

/// <summary>An app as <c>images apps</c> shows it.</summary>
public sealed record AppInfo(string Name, ReleaseInfo? Current, ReleaseInfo? Previous, IReadOnlyList<ReleaseInfo> Releases);

public sealed record ReleaseInfo(int Number, string Image, string? Container, string State, string? Reason, DateTimeOffset Created);

/// <summary>An error of the node API: what failed and why, with the new container's last output when it did not become healthy.</summary>
public sealed record NodeError(string Message, string? Logs = null);

/// <summary>One JSON shape for both sides.</summary>
public static class NodeJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
