using Images.Runtime.Builtin;
using Images.Runtime.Runc;

namespace Images.Runtime;

/// <summary>The runtimes by name.</summary>
public static class ProcessRuntimes
{
    public const string Default = BuiltinRuntime.RuntimeName;

    public static IReadOnlyList<string> Names { get; } = [BuiltinRuntime.RuntimeName, RuncRuntime.RuntimeName];

    /// <summary>The runtime called <paramref name="name"/>; an unknown name throws, listing the choices.</summary>
    public static IProcessRuntime Open(string name) => name switch
    {
        BuiltinRuntime.RuntimeName => new BuiltinRuntime(),
        RuncRuntime.RuntimeName => new RuncRuntime(),
        _ => throw new ArgumentException($"unknown runtime '{name}': choose one of {string.Join(", ", Names)}", nameof(name)),
    };
}
