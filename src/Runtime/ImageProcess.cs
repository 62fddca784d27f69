using Images.Core.Oci;

namespace Images.Runtime;

/// <summary>
/// The one place where an image's config becomes the process to run, with Docker's rules:
/// <list type="bullet">
/// <item>argv = ENTRYPOINT + CMD. Shell forms are already <c>["/bin/sh","-c","..."]</c> in the config, so the
/// Dockerfile reference's table falls out of the concatenation (a shell-form ENTRYPOINT makes CMD mere $0/$1 of sh).</item>
/// <item>Arguments given at run replace CMD; <c>--entrypoint</c> replaces ENTRYPOINT and drops the image's CMD.</item>
/// <item>Env: the image's, then the run's (a later key wins); PATH defaults to Docker's and HOME to the user's
/// home when absent (added by the runtime, see <see cref="ProcessEnvironment.Complete"/>).</item>
/// <item>WorkingDir and User: the run's, else the image's; "/" and root when neither says.</item>
/// </list>
/// </summary>
public static class ImageProcess
{
    public static ProcessSpec From(ImageConfig? image, RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = image?.Config;
        IReadOnlyList<string> entrypoint = config?.Entrypoint ?? [];
        IReadOnlyList<string> cmd = config?.Cmd ?? [];
        if (options.Entrypoint is not null)
        {
            entrypoint = options.Entrypoint.Length == 0 ? [] : [options.Entrypoint];
            cmd = [];
        }
        if (options.Cmd.Count > 0) cmd = options.Cmd;
        var args = entrypoint.Concat(cmd).ToList();
        if (args.Count == 0)
            throw new ArgumentException("no command specified: the image has neither ENTRYPOINT nor CMD; give a command after the image name");

        string workingDir = options.WorkingDir is { Length: > 0 } w ? w : config?.WorkingDir is { Length: > 0 } iw ? iw : "/";
        if (!workingDir.StartsWith('/'))
            throw new ArgumentException($"working directory '{workingDir}' is not absolute");
        string? user = options.User is { Length: > 0 } u ? u : config?.User is { Length: > 0 } iu ? iu : null;
        return new ProcessSpec
        {
            Args = args,
            Env = ProcessEnvironment.Merge(config?.Env ?? [], options.Env),
            WorkingDir = workingDir,
            User = user,
            Hostname = options.Hostname,
            Network = options.Network,
            ReadOnlyRootfs = options.ReadOnlyRootfs,
            Volumes = options.Volumes,
        };
    }
}
