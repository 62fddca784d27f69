using System.Text.Json;
using System.Text.Json.Nodes;
using Images.Core.Oci;
using Images.Store.Catalog;

namespace Images.Cli.Formatting;

/// <summary>The JSON of `images inspect`, shaped like `docker image inspect`.</summary>
internal static class InspectView
{
    public static JsonObject Build(Image image, ImageConfig config, long size)
    {
        var c = config.Config;
        return new JsonObject
        {
            ["Id"] = image.Id.ToString(),
            ["RepoTags"] = Array(image.Tags.Select(t => t.FamiliarTaggedName!)),
            ["RepoDigests"] = Array(ImageFacts.RepoDigests(image)),
            ["Parent"] = "",
            ["Comment"] = config.History?.LastOrDefault()?.Comment ?? "",
            ["Created"] = Rfc3339(config.Created),
            ["Author"] = config.Author ?? "",
            ["Config"] = new JsonObject
            {
                ["User"] = c?.User ?? "",
                ["ExposedPorts"] = Node(c?.ExposedPorts),
                ["Env"] = Node(c?.Env),
                ["Cmd"] = Node(c?.Cmd),
                ["Healthcheck"] = Node(c?.Healthcheck),
                ["Volumes"] = Node(c?.Volumes),
                ["WorkingDir"] = c?.WorkingDir ?? "",
                ["Entrypoint"] = Node(c?.Entrypoint),
                ["OnBuild"] = Node(c?.OnBuild),
                ["Labels"] = Node(c?.Labels),
                ["StopSignal"] = c?.StopSignal,
                ["Shell"] = Node(c?.Shell),
            },
            ["Architecture"] = config.Architecture,
            ["Variant"] = config.Variant,
            ["Os"] = config.Os,
            ["Size"] = size,
            ["RootFS"] = new JsonObject
            {
                ["Type"] = config.RootFs.Type,
                ["Layers"] = Array(config.RootFs.DiffIds.Select(d => d.ToString())),
            },
            ["Descriptor"] = new JsonObject
            {
                ["mediaType"] = image.ManifestMediaType,
                ["digest"] = image.ManifestDigest.ToString(),
                ["size"] = image.ManifestSize,
            },
        };
    }

    /// <summary>Docker's RFC 3339 form with nanoseconds, in UTC.</summary>
    public static string? Rfc3339(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes JSON as Docker does: indented, without escaping '+', '&lt;' and the like.</summary>
    public static readonly JsonSerializerOptions Output = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One JSON object per line, for --format json lists.</summary>
    public static readonly JsonSerializerOptions Line = new(Output) { WriteIndented = false };

    private static JsonArray Array(IEnumerable<string> items) => new(items.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

    private static JsonNode? Node<T>(T? value) =>
        value is null ? null : JsonSerializer.SerializeToNode(value, OciJson.Options);
}
