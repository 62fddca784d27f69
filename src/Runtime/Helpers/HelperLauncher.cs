using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Images.Runtime.Helpers;

/// <summary>
/// Starts this assembly as a helper process (container init, monitor, exec), from any host process: the CLI, a
/// test host, the builder. Why an assembly of ours and not a fork: .NET must not fork inside managed code (other
/// threads hold locks the child would inherit), so a process that must end up in new namespaces is made by
/// util-linux (unshare/nsenter/setsid fork and exec in C) and then exec's this assembly, which does the rest with
/// plain system calls and finally execve's the container's process. Images.Runtime is an Exe so the SDK copies its
/// runtimeconfig and deps next to every project that references it; it is run by the same `dotnet` host as the
/// caller, so no second runtime or compiler is needed (the cost is .NET start-up, ~50 ms, see bench/runtime).
/// </summary>
internal static class HelperLauncher
{
    /// <summary>The command line that runs the helper in <paramref name="mode"/>: dotnet exec ... Images.Runtime.dll mode.</summary>
    public static IReadOnlyList<string> Command(string mode)
    {
        string assembly = typeof(HelperLauncher).Assembly.Location;
        string dir = Path.GetDirectoryName(assembly)!;
        string name = Path.GetFileNameWithoutExtension(assembly);
        var args = new List<string> { DotnetHost, "exec", "--runtimeconfig", RuntimeConfig(dir, name) };
        string deps = Path.Combine(dir, name + ".deps.json");
        if (!File.Exists(deps)) deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';')[0] ?? "";
        if (deps.Length > 0 && File.Exists(deps)) args.AddRange(["--depsfile", deps]);
        args.Add(assembly);
        args.Add(mode);
        return args;
    }

    /// <summary>A ProcessStartInfo for <paramref name="file"/> with <paramref name="args"/> (no shell).</summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // A helper runs briefly: profile-guided re-JIT only costs it start-up time.
        psi.Environment["DOTNET_TieredPGO"] = "0";
        return psi;
    }

    /// <summary>The `dotnet` executable running this process (an apphost's runtime lives three levels under it).</summary>
    public static string DotnetHost { get; } = FindHost();

    private static string FindHost()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileName(self) == "dotnet") return self;
        string fromRuntime = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        if (File.Exists(fromRuntime)) return fromRuntime;
        throw new FileNotFoundException(
            $"the dotnet host was not found next to the runtime ({fromRuntime}); install the .NET runtime where it is found or run through `dotnet`");
    }

    private static string RuntimeConfig(string dir, string name)
    {
        string own = Path.Combine(dir, name + ".runtimeconfig.json");
        if (File.Exists(own)) return own;
        // Referenced through a library the SDK may not copy it: write one for the running framework.
        string generated = Path.Combine(Path.GetTempPath(), $"images-runtime-{Environment.Version}.runtimeconfig.json");
        if (!File.Exists(generated))
        {
            string tmp = generated + "." + Environment.ProcessId;
            string version = Environment.Version.ToString();
            File.WriteAllText(tmp,
                "{\"runtimeOptions\":{\"tfm\":\"net" + Environment.Version.Major + ".0\",\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\"" +
                version + "\"},\"configProperties\":{\"System.Globalization.Invariant\":true}}}");
            File.Move(tmp, generated, overwrite: true);
        }
        return generated;
    }
}
