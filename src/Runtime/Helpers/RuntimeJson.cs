using System.Text.Json.Serialization;
using Images.Runtime.Builtin;
using Images.Runtime.Containers;

namespace Images.Runtime.Helpers;

/// <summary>
/// Source-generated JSON for what the helpers read at start: no reflection-based serializer to JIT in a process
/// whose start-up is on every container's critical path.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(InitRequest))]
[JsonSerializable(typeof(ContainerExec.Request))]
internal sealed partial class RuntimeJson : JsonSerializerContext;
