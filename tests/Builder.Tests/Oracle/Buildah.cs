using System.Text.Json;
using Images.Drivers.Common;
using Images.Drivers.Tests;

namespace Images.Builder.Tests.Oracle;

/// <summary>
/// buildah as the oracle: <c>buildah bud --storage-driver vfs --isolation chroot --layers</c> in its own temp root
/// (--root/--runroot), so nothing of the machine's buildah storage is touched. Dispose removes its containers,
/// images and directories, whatever happened.
/// </summary>
internal sealed class Buildah : IDisposable
{
    private readonly ScratchDirectory _scratch = new("builder-buildah-");
    private readonly List<string> _containers = [];

    private string[] Global => ["--root", _scratch.Combine("root"), "--runroot", _scratch.Combine("runroot"), "--storage-driver", "vfs"];

    private string Run(params string[] arguments) =>
        ExternalCommand.Run("run buildah, the builder tests' oracle (apt-get install buildah)", "buildah", [.. Global, .. arguments]);

    public void Build(string context, string recipePath, string tag, IReadOnlyDictionary<string, string>? buildArgs = null, string? target = null)
    {
        var arguments = new List<string> { "bud", "--isolation", "chroot", "--layers", "--network", "host", "-f", recipePath, "-t", tag };
        foreach (var (k, v) in buildArgs ?? new Dictionary<string, string>()) arguments.AddRange(["--build-arg", $"{k}={v}"]);
        if (target is not null) arguments.AddRange(["--target", target]);
        arguments.Add(context);
        Run([.. arguments]);
    }

    /// <summary>The image's OCI config ("config" object of buildah's OCIv1 view).</summary>
    public JsonElement Config(string tag)
    {
        using var doc = JsonDocument.Parse(Run("inspect", "--type", "image", tag));
        return doc.RootElement.GetProperty("OCIv1").GetProperty("config").Clone();
    }

    /// <summary>Mounts the image in a working container and returns its rootfs path.</summary>
    public string Mount(string tag)
    {
        string container = Run("from", "--pull-never", tag).Trim();
        _containers.Add(container);
        return Run("mount", container).Trim();
    }

    public void Dispose()
    {
        try
        {
            foreach (var container in _containers)
            {
                try { Run("umount", container); } catch (Exception) { }
                try { Run("rm", container); } catch (Exception) { }
            }
            try { Run("rmi", "--all", "--force"); } catch (Exception) { }
        }
        finally
        {
            _scratch.Dispose();
        }
    }
}
