using Images.Runtime.Builtin;
using Images.Runtime.Helpers;

namespace Images.Runtime.Runc;

/// <summary>
/// Runs the process with <c>runc run</c> on an OCI bundle written for it (config.json from the spec; the rootfs is
/// the caller's mount, used in place). runc passes the exit code through (128+signal when killed) and deletes its
/// container when the process ends; the bundle directory is ours and removed with the handle.
/// </summary>
public sealed class RuncRuntime : IProcessRuntime
{
    public const string RuntimeName = "runc";

    /// <summary>runc's state directory for our containers (a tmpfs: nothing survives a reboot, as runc expects).</summary>
    public const string StateRoot = "/run/images-runc";

    private const string BundleRoot = "/run/images-runc-bundles";

    public string Name => RuntimeName;

    public int Run(string rootfs, ProcessSpec spec, ProcessIo io, CancellationToken cancel = default) =>
        RuntimeProcess.RunToEnd(this, rootfs, spec, io, cancel);

    public IRunningProcess Start(string rootfs, ProcessSpec spec, ProcessIo io)
    {
        RuntimeProcess.CheckArguments(rootfs, spec, io);

        var plan = ExecPlan.Prepare(rootfs, spec, spec.Hostname is { Length: > 0 } h ? [$"HOSTNAME={h}"] : [], createWorkingDir: !spec.ReadOnlyRootfs);
        // runc exits 1 for its own failures and a missing command alike; answer "not found" as Docker does (127).
        if (!plan.CommandExists(rootfs)) return FinishedProcess.Failed(io, plan.NotFound());

        string id = "images-" + Guid.NewGuid().ToString("N")[..16];
        string bundle = Path.Combine(BundleRoot, id);
        Directory.CreateDirectory(bundle);
        try
        {
            RuncBundle.Write(bundle, rootfs, spec, plan);
            string pidFile = Path.Combine(bundle, "pid");
            var psi = HelperLauncher.StartInfo("runc", ["--root", StateRoot, "run", "--bundle", bundle, "--pid-file", pidFile, id]);
            return RuntimeProcess.Start(psi, io, _ => ReadPid(pidFile), cleanup: () => Directory.Delete(bundle, recursive: true));
        }
        catch
        {
            Directory.Delete(bundle, recursive: true);
            throw;
        }
    }

    private static int? ReadPid(string pidFile)
    {
        try { return int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid) ? pid : null; }
        catch (FileNotFoundException) { return null; }
    }
}
