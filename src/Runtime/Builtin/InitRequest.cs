using System.Text.Json;
using Images.Runtime.Helpers;

namespace Images.Runtime.Builtin;

/// <summary>What the builtin runtime hands its init (as JSON in one environment variable: nothing to clean up).</summary>
internal sealed record InitRequest(string Rootfs, ProcessSpec Spec)
{
    public const string Variable = "IMAGES_INIT_REQUEST";

    public string ToJson() => JsonSerializer.Serialize(this, RuntimeJson.Default.InitRequest);

    public static InitRequest FromEnvironment()
    {
        string json = Environment.GetEnvironmentVariable(Variable)
                      ?? throw new InvalidOperationException($"{Variable} is not set: the init is started by the builtin runtime only");
        return JsonSerializer.Deserialize(json, RuntimeJson.Default.InitRequest)
               ?? throw new InvalidOperationException($"{Variable} is empty");
    }
}
