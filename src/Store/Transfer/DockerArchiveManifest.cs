using System.Text.Json.Serialization;

namespace Images.Store.Transfer;

/// <summary>
/// One entry of a docker-archive's <c>manifest.json</c> (an array of them): paths inside the archive of the image's
/// config and of its uncompressed layer tars, bottom first, and the names it had.
/// </summary>
public sealed record DockerArchiveManifest
{
    [JsonPropertyName("Config")] public required string Config { get; init; }
    [JsonPropertyName("RepoTags")] public IReadOnlyList<string>? RepoTags { get; init; }
    [JsonPropertyName("Layers")] public required IReadOnlyList<string> Layers { get; init; }
}
