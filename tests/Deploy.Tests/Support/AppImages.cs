using System.Security.Cryptography;
using Images.Cli.Tests;
using Images.Drivers.Tests;

namespace Images.Deploy.Tests;

/// <summary>
/// A source store with an app built by <c>images build</c> in three versions: a busybox base (two layers the versions
/// share) and an app layer (a 512 KiB random file and an index.html that names the version), served by busybox httpd
/// on 127.0.0.1:8080 inside the container. Built once per test class.
/// </summary>
public sealed class AppImages : IDisposable
{
    public const string Port = "8080";
    public static readonly string[] Versions = ["v1", "v2", "v3"];

    private readonly ScratchDirectory _scratch = new("deploy-source-");

    public AppImages()
    {
        Source = new CliRunner(_scratch.Combine("store"));
        string context = _scratch.Combine("context");
        Directory.CreateDirectory(Path.Combine(context, "www"));
        File.Copy("/bin/busybox", Path.Combine(context, "busybox"));
        File.WriteAllBytes(Path.Combine(context, "www", "payload.bin"), RandomNumberGenerator.GetBytes(512 << 10));
        File.WriteAllText(Path.Combine(context, "Dockerfile"), $"""
            FROM scratch
            COPY busybox /bin/busybox
            RUN ["/bin/busybox", "--install", "-s", "/bin"]
            COPY www/ /www/
            CMD ["httpd", "-f", "-p", "127.0.0.1:{Port}", "-h", "/www"]
            """);
        foreach (var version in Versions)
        {
            File.WriteAllText(Path.Combine(context, "www", "index.html"), $"release {version}\n");
            Source.Ok("build", "-t", $"app:{version}", context);
        }
    }

    /// <summary>The CLI on the source store (where images are built and deployed from).</summary>
    public CliRunner Source { get; }

    public void Dispose() => _scratch.Dispose();
}
