using System.Text.Json;
using Images.Builder.Engine;
using Images.Core.Oci;

namespace Images.Builder.Tests.Engine;

/// <summary>Metadata instructions, ARG scoping, stages and ONBUILD on the vfs driver (no RUN: see RunTests).</summary>
public sealed class InstructionTests : IDisposable
{
    private const string DefaultPath = "PATH=" + Images.Runtime.ProcessSpec.DefaultPath;

    private readonly BuildBench _b = new();

    public void Dispose() => _b.Dispose();

    [Fact]
    public void MetadataInstructionsSetTheConfig_AndAddEmptyLayerHistory()
    {
        var result = _b.Build("""
            FROM scratch
            MAINTAINER someone <s@example.com>
            ENV A=1 B="two words"
            ENV LEGACY value with spaces
            ENV A=replaced C=${B}!
            LABEL "com.example.name"="my app" version=$A
            EXPOSE 80 53/udp 8000-8001
            WORKDIR /srv
            WORKDIR app
            USER 1000:1000
            VOLUME ["/data", "/logs"]
            VOLUME /cache
            STOPSIGNAL SIGTERM
            SHELL ["/bin/bash", "-euc"]
            ENTRYPOINT exec server
            CMD ["--port", "80"]
            HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD check --quick
            ONBUILD COPY . /src
            """);
        var config = _b.Config(result);
        var c = config.Config!;
        Assert.Equal("someone <s@example.com>", config.Author);
        Assert.Equal([DefaultPath, "A=replaced", "B=two words", "LEGACY=value with spaces", "C=two words!"], c.Env);
        Assert.Equal(new Dictionary<string, string> { ["com.example.name"] = "my app", ["version"] = "replaced" }, c.Labels);
        Assert.Equal(["53/udp", "80/tcp", "8000/tcp", "8001/tcp"], c.ExposedPorts!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("/srv/app", c.WorkingDir);
        Assert.Equal("1000:1000", c.User);
        Assert.Equal(["/cache", "/data", "/logs"], c.Volumes!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("SIGTERM", c.StopSignal);
        Assert.Equal(["/bin/bash", "-euc"], c.Shell);
        Assert.Equal(["/bin/bash", "-euc", "exec server"], c.Entrypoint);
        Assert.Equal(["--port", "80"], c.Cmd);
        Assert.Equal(["CMD-SHELL", "check --quick"], c.Healthcheck!.Test);
        Assert.Equal((30_000_000_000L, 5_000_000_000L, 3), (c.Healthcheck.Interval!.Value, c.Healthcheck.Timeout!.Value, c.Healthcheck.Retries!.Value));
        Assert.Equal(["COPY . /src"], c.OnBuild);
        Assert.Empty(config.RootFs.DiffIds);
        Assert.All(config.History!, h => Assert.True(h.EmptyLayer));
        Assert.Equal(17, config.History!.Count);
        Assert.Equal("/bin/sh -c #(nop) WORKDIR /srv/app", config.History[7].CreatedBy);
    }

    [Fact]
    public void EntrypointClearsAnInheritedCmd_ButNotOneSetInTheStage()
    {
        var result = _b.Build("FROM scratch AS base\nCMD [\"base\"]\nFROM base\nENTRYPOINT [\"ep\"]\n");
        Assert.Null(_b.Config(result).Config!.Cmd);
        result = _b.Build("FROM scratch\nCMD [\"own\"]\nENTRYPOINT [\"ep\"]\n");
        Assert.Equal(["own"], _b.Config(result).Config!.Cmd);
        result = _b.Build("FROM scratch\nCMD run me\n");
        Assert.Equal(["/bin/sh", "-c", "run me"], _b.Config(result).Config!.Cmd);
    }

    [Fact]
    public void ArgScoping_BuildArgs_AndTheUnusedWarning()
    {
        _b.Write("v1.txt", "one");
        _b.Write("v2.txt", "two");
        const string recipe = """
            ARG VERSION=1
            ARG UNSEEN=global
            FROM scratch
            ARG VERSION
            ARG LOCAL=${VERSION}-local
            ENV SEEN=${VERSION} LOCAL_COPY=$LOCAL UNSEEN=${UNSEEN:-not-in-scope}
            COPY v${VERSION}.txt /version
            """;
        var result = _b.Build(recipe, Options(new() { ["VERSION"] = "2", ["NOT_DECLARED"] = "x" }));
        Assert.Equal([DefaultPath, "SEEN=2", "LOCAL_COPY=2-local", "UNSEEN=not-in-scope"], _b.Config(result).Config!.Env);
        Assert.Equal("two", _b.ReadFile(result, "version"));
        Assert.Equal(["One or more build-args [NOT_DECLARED] were not consumed"], result.Warnings);
        Assert.Contains("[Warning] One or more build-args [NOT_DECLARED] were not consumed", _b.Log.ToString());

        result = _b.Build(recipe);
        Assert.Equal([DefaultPath, "SEEN=1", "LOCAL_COPY=1-local", "UNSEEN=not-in-scope"], _b.Config(result).Config!.Env);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void StagesTargetsAndCopyFrom()
    {
        _b.Write("f", "from context\n");
        const string recipe = """
            ARG BASE=scratch
            FROM ${BASE} AS builder
            COPY f /out/artifact
            LABEL stage=builder

            FROM scratch AS broken
            COPY does-not-exist /

            FROM builder AS derived
            LABEL stage=derived

            FROM scratch
            COPY --from=builder /out/artifact /by-name
            COPY --from=0 /out/ /by-index/
            """;
        var final = _b.Build(recipe); // the broken stage is not needed, so it is not built
        Assert.Equal("from context\n", _b.ReadFile(final, "by-name"));
        Assert.Equal("from context\n", _b.ReadFile(final, "by-index/artifact"));
        Assert.DoesNotContain("does-not-exist", _b.Log.ToString());
        Assert.Null(_b.Config(final).Config!.Labels);

        var derived = _b.Build(recipe, Options(target: "derived"));
        Assert.Equal("derived", _b.Config(derived).Config!.Labels!["stage"]);
        Assert.Equal("from context\n", _b.ReadFile(derived, "out/artifact"));
        Assert.Contains("Step 1/5 : FROM scratch AS builder", _b.Log.ToString());

        Assert.Contains("not found in the build context", _b.BuildFails(recipe, Options(target: "broken")).Message);
        Assert.Contains("--target nope: no such stage", _b.BuildFails(recipe, Options(target: "nope")).Message);
    }

    [Fact]
    public void FromAnImageInTheStore_RunsItsOnbuildTriggers()
    {
        _b.Write("app.txt", "app\n");
        var parent = _b.Build("FROM scratch\nCOPY app.txt /base.txt\nONBUILD COPY app.txt /triggered.txt\nONBUILD LABEL from=trigger\n",
            Options(tags: ["example/base:1"]));
        var child = _b.Build("FROM example/base:1\nLABEL own=yes\n");
        var config = _b.Config(child);
        Assert.Null(config.Config!.OnBuild);
        Assert.Equal(new Dictionary<string, string> { ["from"] = "trigger", ["own"] = "yes" }, config.Config.Labels);
        Assert.Equal("app\n", _b.ReadFile(child, "triggered.txt"));
        Assert.Equal("app\n", _b.ReadFile(child, "base.txt"));
        Assert.Equal(_b.Config(parent).RootFs.DiffIds, config.RootFs.DiffIds.Take(1));
        Assert.Contains("# Executing 2 build triggers", _b.Log.ToString());

        var e = _b.BuildFails("FROM example/missing:1\n");
        Assert.Contains("load or pull it first", e.Message);
    }

    [Fact]
    public void ImagesAreTaggedAndLabelsFromOptionsAdded()
    {
        var result = _b.Build("FROM scratch\nLABEL a=recipe\n", Options(tags: ["example/app:1.0", "example/app:latest"]) with
        {
            Labels = new Dictionary<string, string> { ["a"] = "option", ["b"] = "2" },
        });
        Assert.Equal(result.ImageId, _b.Store.Images.Resolve("example/app:1.0").Id);
        Assert.Equal(result.ImageId, _b.Store.Images.Resolve("example/app:latest").Id);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "option", ["b"] = "2" }, _b.Config(result).Config!.Labels);
        var manifest = _b.Store.Images.ReadManifest(_b.Store.Images.Get(result.ImageId)!).Manifest;
        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
        Assert.Equal(MediaTypes.OciConfig, manifest.Config.MediaType);
        Assert.Contains("-t bad name: not a valid", Assert.Throws<BuildException>(() => _b.Build("FROM scratch\n", Options(tags: ["bad name"]))).Message);
    }

    private BuildOptions Options(Dictionary<string, string>? args = null, string? target = null, string[]? tags = null) => new()
    {
        ContextDirectory = _b.Context,
        RecipeText = "",
        BuildArgs = args ?? [],
        Target = target,
        Tags = tags ?? [],
    };
}
