using Images.Builder.Parsing;

namespace Images.Builder.Tests;

public sealed class InstructionParserTests
{
    private static T Single<T>(string instruction) where T : Instruction =>
        Assert.IsType<T>(RecipeParser.Parse("FROM scratch\n" + instruction + "\n").Stages[0].Instructions.Single());

    [Fact]
    public void FromForms()
    {
        var recipe = RecipeParser.Parse("ARG BASE=alpine\nFROM --platform=linux/amd64 ${BASE}:3.19 AS Build\nFROM build as final\nFROM scratch\n");
        Assert.Equal(3, recipe.Stages.Count);
        Assert.Equal(new FromInstruction("${BASE}:3.19", "build", "linux/amd64"), recipe.Stages[0].From with { Location = default, EndLine = 0, Text = "" });
        Assert.Equal("build", recipe.Stages[0].Name);
        Assert.Equal(("build", "final"), (recipe.Stages[1].From.Image, recipe.Stages[1].Name));
        Assert.Null(recipe.Stages[2].Name);
        Assert.Equal(2, recipe.Stages[2].Index);
        Assert.True(recipe.Stages[0].From.ExpandsVariables);
        Assert.Same(recipe.Stages[0], recipe.FindStage("BUILD"));
        Assert.Same(recipe.Stages[2], recipe.FindStage("2"));
        Assert.Null(recipe.FindStage("3"));
        Assert.Null(recipe.FindStage("alpine"));
        Assert.Null(recipe.FindStage("build", before: 0));
        Assert.Same(recipe.Stages[0], recipe.FindStage("build", before: 1));
        Assert.Null(recipe.FindStage("1", before: 1));
    }

    [Fact]
    public void RunShellAndExecForms()
    {
        var shell = Single<RunInstruction>("RUN   apt-get update && apt-get install -y curl  ");
        Assert.True(shell.Command.IsShellForm);
        Assert.Equal("apt-get update && apt-get install -y curl", shell.Command.ShellText);

        var exec = Single<RunInstruction>("run [ \"/bin/echo\", \"a b\", \"\\u00e9\\\"\" ]");
        Assert.False(exec.Command.IsShellForm);
        Assert.Equal(["/bin/echo", "a b", "é\""], exec.Command.Arguments);
        Assert.Null(exec.Command.ShellText);
        Assert.False(exec.ExpandsVariables);
    }

    [Theory]
    [InlineData("RUN [\"echo\", 'single']")]
    [InlineData("RUN [ -f /etc/passwd ]")]
    [InlineData("RUN [\"unterminated\"")]
    public void TextThatIsNotAJsonArrayOfStringsIsShellForm(string line)
    {
        var run = Single<RunInstruction>(line);
        Assert.True(run.Command.IsShellForm);
        Assert.Equal(line[4..], run.Command.ShellText);
    }

    [Fact]
    public void TextAfterTheJsonArrayIsIgnoredAsDockerDoes()
    {
        var run = Single<RunInstruction>("RUN [\"echo\", \"hi\"] && ls");
        Assert.False(run.Command.IsShellForm);
        Assert.Equal(["echo", "hi"], run.Command.Arguments);
    }

    [Fact]
    public void RunFlags()
    {
        var run = Single<RunInstruction>("RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=x --network=none --security=insecure make");
        Assert.Equal(["type=cache,target=/root/.cache", "type=secret,id=x"], run.Mounts);
        Assert.Equal(("none", "insecure"), (run.Network, run.Security));
        Assert.Equal("make", run.Command.ShellText);
    }

    [Fact]
    public void FlagValuesMayBeQuotedAndDoubleDashEndsFlags()
    {
        var copy = Single<CopyInstruction>("COPY --chown=\"user name:group\" -- --weird-file /dst");
        Assert.Equal("user name:group", copy.Chown);
        Assert.Equal("--weird-file", copy.Sources.Single().Path);
    }

    [Fact]
    public void CmdAndEntrypoint()
    {
        Assert.Equal(["nginx", "-g", "daemon off;"], Single<CmdInstruction>("CMD [\"nginx\", \"-g\", \"daemon off;\"]").Command.Arguments);
        Assert.Empty(Single<CmdInstruction>("CMD []").Command.Arguments);
        Assert.Equal("exec top -b", Single<EntrypointInstruction>("ENTRYPOINT exec top -b").Command.ShellText);
    }

    [Fact]
    public void EnvBothForms()
    {
        var modern = Single<EnvInstruction>("ENV A=1 B=\"two words\" C=three\\ words D= E='$x'");
        Assert.False(modern.IsLegacyForm);
        Assert.Equal(
            [new KeyValue("A", "1"), new KeyValue("B", "\"two words\""), new KeyValue("C", "three\\ words"), new KeyValue("D", ""), new KeyValue("E", "'$x'")],
            modern.Variables);
        var legacy = Single<EnvInstruction>("ENV   PATH   /usr/local/bin:$PATH  and more");
        Assert.True(legacy.IsLegacyForm);
        Assert.Equal(new KeyValue("PATH", "/usr/local/bin:$PATH  and more"), legacy.Variables.Single());
        Assert.True(legacy.ExpandsVariables);
    }

    [Fact]
    public void LabelForms()
    {
        var label = Single<LabelInstruction>("LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0 multi.line=\"a \\\nb\"");
        Assert.Equal(
            [new KeyValue("\"com.example.vendor\"", "\"ACME Inc\""), new KeyValue("version", "1.0"), new KeyValue("multi.line", "\"a b\"")],
            label.Labels);
        Assert.Equal(new KeyValue("maintainer", "me <m@e>"), Single<LabelInstruction>("LABEL maintainer me <m@e>").Labels.Single());
    }

    [Fact]
    public void ArgForms()
    {
        var arg = Single<ArgInstruction>("ARG A B=2 C=\"x y\" D=");
        Assert.Equal([new ArgDeclaration("A", null), new ArgDeclaration("B", "2"), new ArgDeclaration("C", "\"x y\""), new ArgDeclaration("D", "")], arg.Arguments);
    }

    [Fact]
    public void ExposeAndPortSpecs()
    {
        var expose = Single<ExposeInstruction>("EXPOSE 80 443/tcp  53/UDP 8000-8002/sctp $PORT");
        Assert.Equal(["80", "443/tcp", "53/UDP", "8000-8002/sctp", "$PORT"], expose.Ports);
        Assert.Equal("80/tcp", PortSpec.Parse("80").ToString());
        Assert.Equal("53/udp", PortSpec.Parse("53/UDP").ToString());
        Assert.Equal(["8000/sctp", "8001/sctp", "8002/sctp"], PortSpec.Parse("8000-8002/sctp").Keys);
        Assert.Throws<FormatException>(() => PortSpec.Parse("80/icmp"));
        Assert.Throws<FormatException>(() => PortSpec.Parse("0"));
        Assert.Throws<FormatException>(() => PortSpec.Parse("70000"));
        Assert.Throws<FormatException>(() => PortSpec.Parse("9-8"));
        Assert.Throws<FormatException>(() => PortSpec.Parse("http"));
    }

    [Fact]
    public void StringInstructionsTakeTheWholeRest()
    {
        Assert.Equal("/my app/$DIR", Single<WorkdirInstruction>("WORKDIR /my app/$DIR").Path);
        Assert.Equal("app:staff", Single<UserInstruction>("USER app:staff").User);
        Assert.Equal("SIGKILL", Single<StopSignalInstruction>("STOPSIGNAL SIGKILL").Signal);
        Assert.Equal("Jane Doe <jane@example.com>", Single<MaintainerInstruction>("MAINTAINER Jane Doe <jane@example.com>").Maintainer);
    }

    [Fact]
    public void VolumeForms()
    {
        Assert.Equal(["/data", "/var/log"], Single<VolumeInstruction>("VOLUME [\"/data\", \" /var/log \"]").Paths);
        Assert.Equal(["/data", "/var/log"], Single<VolumeInstruction>("VOLUME /data   /var/log").Paths);
    }

    [Fact]
    public void ShellIsJsonOnly()
    {
        Assert.Equal(["powershell", "-command"], Single<ShellInstruction>("SHELL [\"powershell\", \"-command\"]").Shell);
    }

    [Fact]
    public void CopyFlagsAndForms()
    {
        var copy = Single<CopyInstruction>("COPY --from=build --chown=1000:1000 --chmod=0644 --link --parents=false --exclude=*.md --exclude=tmp/ a* b/ /app/");
        Assert.Equal(("build", "1000:1000", "0644", true, false), (copy.From, copy.Chown, copy.Chmod, copy.Link, copy.Parents));
        Assert.Equal(["*.md", "tmp/"], copy.Excludes);
        Assert.Equal(["a*", "b/"], copy.Sources.Select(s => s.Path));
        Assert.All(copy.Sources, s => Assert.Null(s.Heredoc));
        Assert.Equal("/app/", copy.Destination);
        Assert.False(copy.IsExecForm);

        var json = Single<CopyInstruction>("COPY --parents [\"my file\", \"other\", \"/dest dir/\"]");
        Assert.True(json.IsExecForm);
        Assert.True(json.Parents);
        Assert.Equal(["my file", "other"], json.Sources.Select(s => s.Path));
        Assert.Equal("/dest dir/", json.Destination);
    }

    [Fact]
    public void AddFlags()
    {
        var add = Single<AddInstruction>("ADD --checksum=sha256:abc --keep-git-dir=true --chown=app https://example.com/x.tar.gz /opt/");
        Assert.Equal(("sha256:abc", true, "app", false), (add.Checksum, add.KeepGitDir, add.Chown, add.Link));
        Assert.Equal("https://example.com/x.tar.gz", add.Sources.Single().Path);
        FileCopyInstruction common = add;
        Assert.Equal("/opt/", common.Destination);
    }

    [Fact]
    public void HealthcheckForms()
    {
        var none = Single<HealthcheckInstruction>("HEALTHCHECK none");
        Assert.True(none.Disabled);
        var check = Single<HealthcheckInstruction>("HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=0 --start-interval=1.5s --retries=3 CMD curl -f http://localhost/ || exit 1");
        Assert.False(check.Disabled);
        Assert.Equal("curl -f http://localhost/ || exit 1", check.Test!.ShellText);
        Assert.Equal((TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500), TimeSpan.Zero, TimeSpan.FromSeconds(1.5), (int?)3),
            (check.Interval, check.Timeout, check.StartPeriod, check.StartInterval, check.Retries));
        var exec = Single<HealthcheckInstruction>("HEALTHCHECK cmd [\"/bin/check\", \"-q\"]");
        Assert.Equal(["/bin/check", "-q"], exec.Test!.Arguments);
        Assert.Null(exec.Interval);
        Assert.Null(exec.Retries);
    }

    [Fact]
    public void OnbuildKeepsAParsedTrigger()
    {
        var onbuild = Single<OnbuildInstruction>("ONBUILD   COPY --from=x . /src");
        var trigger = Assert.IsType<CopyInstruction>(onbuild.Trigger);
        Assert.Equal("x", trigger.From);
        Assert.Equal("COPY --from=x . /src", onbuild.TriggerText);
        Assert.Equal(new SourcePosition(2, 11), trigger.Location);
        Assert.Equal(new SourcePosition(2, 1), onbuild.Location);
    }

    [Fact]
    public void KeywordsAreCaseInsensitiveAndNormalised()
    {
        var recipe = RecipeParser.Parse("from scratch\nWorkDir /x\n");
        Assert.Equal("WORKDIR", recipe.Stages[0].Instructions.Single().Keyword);
    }

    [Fact]
    public void ReservedStageNamesWarn()
    {
        var recipe = RecipeParser.Parse("FROM alpine AS scratch\nFROM alpine AS Context\n");
        Assert.Equal(2, recipe.Warnings.Count(w => w.Message.Contains("is reserved")));
    }

    [Fact]
    public void MaintainerIsDeprecatedWithAWarning()
    {
        var recipe = RecipeParser.Parse("FROM scratch\nMAINTAINER me\n");
        Assert.Contains(recipe.Warnings, w => w.Position == new SourcePosition(2, 1) && w.Message.Contains("deprecated"));
    }

    [Fact]
    public void ExpansionSetMatchesTheDockerfileReference()
    {
        var recipe = RecipeParser.Parse(
            "FROM scratch\nRUN x\nCMD x\nENTRYPOINT x\nENV a=b\nARG a\nLABEL a=b\nEXPOSE 1\nWORKDIR /\nUSER u\nSTOPSIGNAL 9\nMAINTAINER m\n" +
            "VOLUME /v\nSHELL [\"sh\"]\nCOPY a b\nADD a b\nHEALTHCHECK NONE\nONBUILD RUN x\n");
        var expanding = recipe.Stages[0].Instructions.Where(i => i.ExpandsVariables).Select(i => i.Keyword).Prepend(recipe.Stages[0].From.Keyword);
        Assert.Equal(["FROM", "ENV", "ARG", "LABEL", "EXPOSE", "WORKDIR", "USER", "STOPSIGNAL", "VOLUME", "COPY", "ADD"], expanding);
    }
}
