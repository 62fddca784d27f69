using System.Text.Json;
using System.Text.Json.Serialization;

namespace Images.Registry.Distribution;

/// <summary>The spec's error body: <c>{"errors":[{"code":"...","message":"...","detail":...}]}</c>.</summary>
public sealed record ErrorBody
{
    [JsonPropertyName("errors")] public required IReadOnlyList<ErrorEntry> Errors { get; init; }

    public static ErrorBody From(RegistryException error) =>
        new() { Errors = [new ErrorEntry { Code = error.Code.Code, Message = error.Message, Detail = error.Detail }] };

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Options);

    /// <summary>Reads a body; null when it is not the spec's shape (a proxy's HTML page, an empty body).</summary>
    public static ErrorBody? TryParse(ReadOnlySpan<byte> json)
    {
        try { return JsonSerializer.Deserialize<ErrorBody>(json, Options) is { Errors: not null } body ? body : null; }
        catch (JsonException) { return null; }
    }

    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

public sealed record ErrorEntry
{
    [JsonPropertyName("code")] public required string Code { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("detail")] public object? Detail { get; init; }
}
