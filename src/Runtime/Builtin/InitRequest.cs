using System.Text.Json;

namespace Images.Runtime.Builtin;

/// <summary>What the builtin runtime hands its init (as JSON in one environment variable: nothing to clean up).</summary>
internal sealed record InitRequest(string Rootfs, ProcessSpec Spec)
{
    public const string Variable = "IMAGES_INIT_REQUEST";

    private static readonly JsonSerializerOptions Options = new() { IncludeFields = false };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static InitRequest FromEnvironment()
    {
        string json = Environment.GetEnvironmentVariable(Variable)
                      ?? throw new InvalidOperationException($"{Variable} is not set: the init is started by the builtin runtime only");
        return JsonSerializer.Deserialize<InitRequest>(json, Options)
               ?? throw new InvalidOperationException($"{Variable} is empty");
    }
}
