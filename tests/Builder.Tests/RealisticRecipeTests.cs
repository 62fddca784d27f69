using Images.Builder.Parsing;

namespace Images.Builder.Tests;

public sealed class RealisticRecipeTests
{
    private const string Text = """
        # syntax=docker/dockerfile:1.7
        ARG GO_VERSION=1.22
        ARG BASE=debian:bookworm-slim

        FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
        WORKDIR /src
        # Dependencies first, for the cache.
        COPY go.mod go.sum ./
        RUN --mount=type=cache,target=/go/pkg/mod \
            # download everything
            go mod download
        COPY . .
        ARG TARGETOS TARGETARCH
        RUN <<EOF
        set -e
        GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app
        EOF

        FROM ${BASE}
        LABEL org.opencontainers.image.title="app" \
              org.opencontainers.image.source=https://example.com/app
        ENV APP_HOME=/app PATH=/app/bin:$PATH
        RUN useradd --system app && mkdir -p "$APP_HOME"
        COPY --from=build --chown=app:app --chmod=0755 /out/app /app/bin/app
        COPY <<-"CONF" /etc/app.conf
        	listen = 0.0.0.0:8080
        	CONF
        EXPOSE 8080/tcp
        VOLUME ["/data"]
        USER app
        HEALTHCHECK --interval=30s --timeout=3s CMD ["/app/bin/app", "health"]
        STOPSIGNAL SIGTERM
        ONBUILD COPY . /app/src
        SHELL ["/bin/bash", "-o", "pipefail", "-c"]
        ENTRYPOINT ["/app/bin/app"]
        CMD ["serve"]
        """;

    [Fact]
    public void ParsesAMultiStageRecipe()
    {
        var recipe = RecipeParser.Parse(Text);
        Assert.Equal("docker/dockerfile:1.7", recipe.Directives.Syntax);
        Assert.Equal(["GO_VERSION", "BASE"], recipe.GlobalArgNames);
        Assert.Equal(2, recipe.Stages.Count);

        var build = recipe.Stages[0];
        Assert.Equal(("build", "golang:${GO_VERSION}", "$BUILDPLATFORM"), (build.Name, build.From.Image, build.From.Platform));
        Assert.Equal(["WORKDIR", "COPY", "RUN", "COPY", "ARG", "RUN"], build.Instructions.Select(i => i.Keyword));
        var download = (RunInstruction)build.Instructions[2];
        Assert.Equal("go mod download", download.Command.ShellText?.Trim());
        Assert.Equal(new SourcePosition(9, 1), download.Location);
        var compile = (RunInstruction)build.Instructions[5];
        Assert.Equal("set -e\nGOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app\n", compile.Heredocs.Single().Content);
        Assert.Equal(["TARGETOS", "TARGETARCH"], build.ArgsVisibleAt(5));

        var final = recipe.Stages[1];
        Assert.Null(final.Name);
        Assert.Equal("${BASE}", final.From.Image);
        Assert.Equal(
            ["LABEL", "ENV", "RUN", "COPY", "COPY", "EXPOSE", "VOLUME", "USER", "HEALTHCHECK", "STOPSIGNAL", "ONBUILD", "SHELL", "ENTRYPOINT", "CMD"],
            final.Instructions.Select(i => i.Keyword));
        var copy = (CopyInstruction)final.Instructions[3];
        Assert.Same(build, recipe.FindStage(copy.From!));
        var conf = (CopyInstruction)final.Instructions[4];
        Assert.Equal("listen = 0.0.0.0:8080\n", conf.Sources.Single().Heredoc!.Content);
        Assert.False(conf.Sources.Single().Heredoc!.Expand);
        Assert.Equal(["serve"], ((CmdInstruction)final.Instructions[^1]).Command.Arguments);
        Assert.Empty(recipe.Warnings);
    }
}
