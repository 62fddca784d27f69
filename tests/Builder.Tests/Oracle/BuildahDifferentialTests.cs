using System.Formats.Tar;
using System.Text.Json;
using Images.Builder.Engine;
using Images.Builder.Tests.Engine;
using Images.Core.Oci;
using Images.Drivers.Common;
using Images.Drivers.Tests;

namespace Images.Builder.Tests.Oracle;

/// <summary>
/// Differential tests against <c>buildah bud</c>: the same recipe and context built by both must give the same root
/// filesystem (modes, owners, content, links, xattrs; not mtimes; /etc/hosts, /etc/hostname, /etc/resolv.conf
/// ignored) and the same Env, Entrypoint, Cmd, WorkingDir, User, Labels, ExposedPorts, Volumes and StopSignal.
/// Together the recipes use every instruction and COPY/ADD option buildah 1.28 knows; heredocs (which it does
/// not know) and Docker-only config fields (Healthcheck, Shell, OnBuild: buildah keeps them only in its Docker
/// format) are covered by the engine tests. Known oracle differences, where we follow Docker: buildah keeps an
/// EXPOSE range as one key (Docker expands it, see InstructionTests), labels images io.buildah.version, and leaves
/// the empty /etc and /run its RUN mounts needed in the layer.
/// </summary>
public sealed class BuildahDifferentialTests : IDisposable
{
    // "/" itself is the storage's directory, not image content (buildah's vfs container root is 0555).
    private static readonly string[] Ignored = ["/", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf"];
    private static readonly string[] ComparedFields = ["Env", "Entrypoint", "Cmd", "WorkingDir", "User", "Labels", "ExposedPorts", "Volumes", "StopSignal"];

    // Known oracle difference: buildah labels every image with its own version; Docker does not.
    private const string BuildahIdentityLabel = "io.buildah.version";

    private readonly BuildBench _b = new();
    private readonly Buildah _buildah = new();

    public BuildahDifferentialTests() => _b.AddBusybox();

    public void Dispose()
    {
        try { _buildah.Dispose(); } finally { _b.Dispose(); }
    }

    private const string FilesRecipe = """
        ARG BASE=scratch
        FROM ${BASE}
        MAINTAINER tester <t@example.com>
        ARG VERSION=1.0
        ENV APP=/app VERSION=$VERSION GREETING="hello world"
        ENV LEGACY form with spaces
        LABEL org.example.version=$VERSION "org.example.name"="demo app"
        COPY passwd group /etc/
        COPY files /data/
        COPY docs/*.md /docs/
        COPY files/a.txt docs/x.md /several/
        COPY files/a.txt /single
        COPY --chown=app:staff files/a.txt /owned/
        COPY --chown=app files/sub /owned-dir/
        COPY --chown=1234:5678 files/a.txt /numeric
        COPY --chmod=0750 files/a.txt /moded
        ADD plain.tar /x/plain/
        ADD gzip.tar.gz /x/gz/
        ADD bzip2.tar.bz2 /x/bz/
        ADD xz.tar.xz /x/xz/
        ADD notarchive.txt /x/
        ADD files/a.txt /x/added-file
        WORKDIR $APP
        WORKDIR sub
        COPY files/a.txt rel.txt
        EXPOSE 80 53/udp 8000/tcp
        USER app:staff
        VOLUME ["/data", "/cache"]
        VOLUME /logs
        STOPSIGNAL SIGINT
        ENTRYPOINT ["/bin/busybox"]
        CMD ["sh"]
        """;

    private const string RunRecipe = """
        FROM scratch AS base
        COPY busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]
        ARG WHO=world
        RUN mkdir -p /out/keep && echo "hello $WHO" > /out/greeting && echo gone > /out/tmp && rm /out/tmp && ln -s greeting /out/link && chmod 0700 /out/keep
        RUN echo more >> /out/greeting && rm -r /out/keep && touch /out/empty
        FROM base AS tools
        ENV TOOL=yes
        RUN echo "tools $TOOL" > /tools.txt
        FROM scratch
        COPY --from=base /bin/busybox /bin/busybox
        COPY --from=0 /out/ /greetings/
        COPY --from=tools /tools.txt /
        ENV PATH=/bin
        ENTRYPOINT /bin/busybox cat /greetings/greeting
        """;

    private void WriteFilesContext()
    {
        _b.Write("passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        _b.Write("group", "root:x:0:\napp:x:1000:\nstaff:x:50:app\n");
        _b.Write("files/a.txt", "a\n");
        _b.Write("files/sub/b.txt", "b\n", mode: 0x1ed);
        _b.Write("files/sub/deeper/c.txt", "c\n", mode: 0x180);
        File.CreateSymbolicLink(Path.Combine(_b.Context, "files/link"), "a.txt");
        _b.Write("docs/x.md", "x");
        _b.Write("docs/y.md", "y");
        _b.Write("docs/z.txt", "z");
        _b.Write("notarchive.txt", "plain text\n");
        _b.WriteArchives("gzip", "bzip2", "xz");
    }

    [Fact]
    public void FilesAndConfig_MatchBuildah()
    {
        WriteFilesContext();
        Compare(FilesRecipe, "files");
    }

    [Fact]
    public void RunAndStages_MatchBuildah()
    {
        Compare(RunRecipe, "run", new Dictionary<string, string> { ["WHO"] = "tests" });
        Compare(RunRecipe, "tools", target: "tools");
    }

    private void Compare(string recipe, string name, Dictionary<string, string>? args = null, string? target = null)
    {
        string recipePath = Path.Combine(_b.Context, $"{name}.Dockerfile");
        File.WriteAllText(recipePath, recipe);
        string tag = $"localhost/oracle/{name}:1";
        _buildah.Build(_b.Context, recipePath, tag, args, target);
        var ours = _b.Build(recipe, new BuildOptions
        {
            ContextDirectory = _b.Context, RecipeText = recipe, RecipeName = $"{name}.Dockerfile",
            BuildArgs = args ?? [], Target = target,
        });

        var expected = WithoutRunMountPoints(Snapshot(_buildah.Mount(tag)));
        var actual = _b.InRootfs(ours, Snapshot);
        Assert.True(expected.SequenceEqual(actual), $"{name}: root filesystems differ\n" + Difference(expected, actual));

        var theirs = _buildah.Config(tag);
        using var mine = JsonDocument.Parse(OciJson.Serialize(_b.Config(ours).Config));
        foreach (string field in ComparedFields)
            Assert.True(Canon(Field(theirs, field)) == Canon(Field(mine.RootElement, field)),
                $"{name}: config {field} differs: buildah {Canon(Field(theirs, field))}, ours {Canon(Field(mine.RootElement, field))}");
    }

    private static List<string> Snapshot(string root) =>
        TreeSnapshot.Of(root).Lines.Where(l => !Ignored.Any(i => l.StartsWith(i + " ", StringComparison.Ordinal))).ToList();

    /// <summary>buildah's RUN leaves /etc and /run (mount points for hosts, resolv.conf, .containerenv) even when empty.</summary>
    private static List<string> WithoutRunMountPoints(List<string> lines) =>
        lines.Where(l => !(l.StartsWith("/etc directory ", StringComparison.Ordinal) && !lines.Any(o => o.StartsWith("/etc/", StringComparison.Ordinal)))
                      && !(l.StartsWith("/run directory ", StringComparison.Ordinal) && !lines.Any(o => o.StartsWith("/run/", StringComparison.Ordinal))))
            .ToList();

    private static string Difference(List<string> expected, List<string> actual) =>
        string.Join('\n', expected.Except(actual).Select(l => "- buildah: " + l).Concat(actual.Except(expected).Select(l => "+ ours:    " + l)));

    private static JsonElement? Field(JsonElement config, string name) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out var value) ? value : null;

    /// <summary>JSON with object keys sorted; absent, null, "" and empty collections all read as null.</summary>
    private static string Canon(JsonElement? element)
    {
        if (element is not { } e) return "null";
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
            case JsonValueKind.String when e.GetString() == "":
            case JsonValueKind.Array when e.GetArrayLength() == 0:
            case JsonValueKind.Object when !e.EnumerateObject().Any():
                return "null";
            case JsonValueKind.Object when e.EnumerateObject().All(p => p.Name == BuildahIdentityLabel):
                return "null";
            case JsonValueKind.Object:
                return "{" + string.Join(",", e.EnumerateObject().Where(p => p.Name != BuildahIdentityLabel).OrderBy(p => p.Name, StringComparer.Ordinal)
                    .Select(p => JsonSerializer.Serialize(p.Name) + ":" + CanonValue(p.Value))) + "}";
            case JsonValueKind.Array:
                return "[" + string.Join(",", e.EnumerateArray().Select(CanonValue)) + "]";
            default:
                return e.GetRawText();
        }
    }

    private static string CanonValue(JsonElement e) => e.ValueKind == JsonValueKind.Object && !e.EnumerateObject().Any() ? "{}" : Canon(e);
}
