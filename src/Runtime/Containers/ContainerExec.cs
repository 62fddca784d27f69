using System.Text.Json;
using Images.Platform;
using Images.Runtime.Builtin;
using Images.Runtime.Helpers;

namespace Images.Runtime.Containers;

/// <summary>
/// Runs a command in a running container, as <c>docker exec</c> and <c>nsenter</c> do. util-linux <c>nsenter</c>
/// joins the container's pid, uts, ipc and network namespaces and forks (a pid namespace applies to children
/// only); its child is this assembly in <see cref="Mode"/>, which reads the container's passwd while the host's
/// files are reachable, then joins the mount namespace itself (setns on a thread with its own fs context, which
/// nsenter cannot give a .NET process) and execve's the command with the container's user, env and workdir.
/// </summary>
internal static class ContainerExec
{
    public const string Mode = "exec";
    private const string Variable = "IMAGES_EXEC_REQUEST";

    internal sealed record Request(int Pid, ProcessSpec Spec);

    /// <summary>Starts <paramref name="spec"/> in the namespaces of host pid <paramref name="pid"/>.</summary>
    public static IRunningProcess Start(int pid, ProcessSpec spec, ProcessIo io)
    {
        spec.Validate();
        var args = new List<string> { "--target", pid.ToString(), "--pid", "--uts", "--ipc", "--net", "--" }; // nsenter forks itself when entering a pid namespace
        args.AddRange(HelperLauncher.Command(Mode));
        var psi = HelperLauncher.StartInfo("nsenter", args);
        psi.Environment[Variable] = JsonSerializer.Serialize(new Request(pid, spec), RuntimeJson.Default.Request);
        return RuntimeProcess.Start(psi, io, launcher => ProcessControl.Children(launcher.Id).FirstOrDefault());
    }

    /// <summary>The helper side: prepare in the host's mount namespace, join the container's, execve.</summary>
    public static int Run()
    {
        string json = Environment.GetEnvironmentVariable(Variable)
                      ?? throw new InvalidOperationException($"{Variable} is not set: exec is started by the runtime only");
        var request = JsonSerializer.Deserialize(json, RuntimeJson.Default.Request) ?? throw new InvalidOperationException($"{Variable} is empty");
        string root = $"/proc/{request.Pid}/root";
        var plan = ExecPlan.Prepare(root, request.Spec, [], createWorkingDir: false);
        Namespaces.JoinMountNamespace(request.Pid);
        return plan.Execute();
    }
}
