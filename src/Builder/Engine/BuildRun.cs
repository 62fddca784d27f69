using System.Globalization;
using System.Text.Json;
using Images.Builder.Context;
using Images.Builder.Parsing;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Store;
using Images.Store.Catalog;
using Images.Store.Layers;

namespace Images.Builder.Engine;

/// <summary>One build: the stages the target needs, in order, each instruction a step.</summary>
internal sealed partial class BuildRun : IDisposable
{
    private readonly LocalStore _store;
    private readonly BuildLog _log;
    private readonly Recipe _recipe;
    private readonly BuildContext _context;
    private readonly BuildOptions _options;
    private readonly CancellationToken _cancel;
    private readonly ShellWordExpander _expander;
    private readonly string _id = Guid.NewGuid().ToString("N")[..16];
    private readonly Dictionary<string, string?> _globalArgs = new(StringComparer.Ordinal);
    private readonly Dictionary<int, StageState> _built = [];
    // Layers mounted read-only as COPY --from sources, released when the build ends.
    private readonly Dictionary<Digest, string> _sourceMounts = [];
    private readonly List<string> _warnings = [];
    private int _step;
    private int _totalSteps;

    public BuildRun(LocalStore store, BuildLog log, Recipe recipe, BuildContext context, BuildOptions options, CancellationToken cancel)
    {
        _store = store;
        _log = log;
        _recipe = recipe;
        _context = context;
        _options = options;
        _cancel = cancel;
        _expander = new ShellWordExpander(recipe.Directives.EscapeChar);
    }

    public IReadOnlyList<string> Warnings => _warnings;
    public int CachedSteps { get; private set; }
    public int ExecutedSteps { get; private set; }

    private string Holder => "build-" + _id;

    /// <summary>Builds the stages the target needs; returns the target stage's state.</summary>
    public StageState Execute()
    {
        foreach (var warning in _recipe.Warnings) Warn(warning.ToString());
        foreach (var arg in _recipe.GlobalArgs.SelectMany(a => a.Arguments))
            _globalArgs[arg.Name] = _options.BuildArgs.TryGetValue(arg.Name, out var given) ? given
                : arg.DefaultValue is { } d ? _expander.ExpandWord(d, _globalArgs) : null;

        if (_recipe.Stages.Count == 0) throw new BuildException($"{_recipe.FileName}: the recipe has no FROM instruction, so there is nothing to build");
        var target = _options.Target is { } t
            ? _recipe.FindStage(t) ?? throw new BuildException(
                $"--target {t}: no such stage in {_recipe.FileName} (stages: {string.Join(", ", _recipe.Stages.Select(s => s.Name ?? s.Index.ToString(CultureInfo.InvariantCulture)))})")
            : _recipe.Stages[^1];
        var needed = NeededStages(target);
        _totalSteps = needed.Sum(s => 1 + s.Instructions.Count);

        foreach (var stage in needed)
        {
            _cancel.ThrowIfCancellationRequested();
            _built[stage.Index] = BuildStage(stage);
        }

        var unused = _recipe.UnusedBuildArgs(_options.BuildArgs.Keys, needed);
        if (unused.Count > 0) Warn($"One or more build-args [{string.Join(" ", unused)}] were not consumed");
        return _built[target.Index];
    }

    /// <summary>The target and, transitively, the earlier stages it uses through FROM or COPY --from, in recipe order.</summary>
    private List<Stage> NeededStages(Stage target)
    {
        var needed = new SortedDictionary<int, Stage>();
        var todo = new Stack<Stage>([target]);
        while (todo.Count > 0)
        {
            var stage = todo.Pop();
            if (!needed.TryAdd(stage.Index, stage)) continue;
            var references = new List<string> { _expander.ExpandWord(stage.From.Image, _globalArgs) };
            references.AddRange(stage.Instructions.OfType<CopyInstruction>().Where(c => c.From is not null).Select(c => _expander.ExpandWord(c.From!, _globalArgs)));
            foreach (string reference in references)
                if (StageNamed(reference, stage.Index, allowIndex: reference != references[0]) is { } used) todo.Push(used);
        }
        return [.. needed.Values];
    }

    private Stage? StageNamed(string reference, int before, bool allowIndex)
    {
        var stage = _recipe.FindStage(reference, before);
        if (stage is null) return null;
        return allowIndex || string.Equals(stage.Name, reference, StringComparison.OrdinalIgnoreCase) ? stage : null;
    }

    private StageState BuildStage(Stage stage)
    {
        string image = _expander.ExpandWord(stage.From.Image, _globalArgs);
        BeginStep($"FROM {image}{(stage.Name is null ? "" : " AS " + stage.Name)}");
        StageState state;
        if (string.Equals(image, "scratch", StringComparison.OrdinalIgnoreCase)) state = new StageState();
        else if (StageNamed(image, stage.Index, allowIndex: false) is { } earlier) state = _built[earlier.Index].Derive();
        else state = FromImage(image);
        // As BuildKit and buildah: a stage whose base sets no PATH gets the default one, first in Env.
        if (!state.Environment().ContainsKey("PATH"))
            state.Config = state.Config with { Env = ["PATH=" + Images.Runtime.ProcessSpec.DefaultPath, .. state.Config.Env ?? []] };
        _log.Done(StateId(state));

        if (state.Config.OnBuild is { Count: > 0 } triggers)
        {
            state.Config = state.Config with { OnBuild = null };
            _log.Note($"# Executing {triggers.Count} build trigger{(triggers.Count == 1 ? "" : "s")}");
            foreach (string trigger in triggers)
            {
                var parsed = RecipeParser.Parse("FROM scratch\n" + trigger, $"ONBUILD trigger of {image}").Stages[0].Instructions;
                foreach (var instruction in parsed)
                {
                    _log.Note($" ---> Running trigger: {instruction.Text}");
                    Execute(stage, state, instruction);
                }
            }
        }

        foreach (var instruction in stage.Instructions)
        {
            _cancel.ThrowIfCancellationRequested();
            BeginStep(instruction.Text);
            Execute(stage, state, instruction);
            _log.Done(StateId(state));
        }
        return state;
    }

    private StageState FromImage(string reference)
    {
        Image image;
        try
        {
            image = _store.Images.Resolve(reference);
        }
        catch (ImageNotFoundException e)
        {
            throw new BuildException(
                $"FROM {reference}: {e.Message} (the builder uses images in the store only; load or pull it first)", null, e);
        }
        var (_, config) = _store.Images.ReadConfig(image);
        return new StageState
        {
            Top = image.TopLayer,
            DiffIds = [.. config.RootFs.DiffIds],
            History = [.. config.History ?? []],
            Config = config.Config ?? new ContainerConfig(),
            Author = config.Author,
        };
    }

    private void BeginStep(string text)
    {
        _step++;
        _log.Step(_step, _totalSteps, text);
    }

    private void Warn(string text)
    {
        _warnings.Add(text);
        _log.Warning(text);
    }

    /// <summary>A short id for the state after a step: its top layer and config.</summary>
    private static string StateId(StageState state) =>
        Digest.Compute(OciJson.Serialize(new { top = state.Top?.ToString(), config = state.Config })).Encoded[..12];

    private void Execute(Stage stage, StageState state, Instruction instruction)
    {
        switch (instruction)
        {
            case FileCopyInstruction copy: CopyStep(state, copy); break;
            case RunInstruction run: RunStep(state, run); break;
            default: MetadataStep(state, instruction); break;
        }
    }

    private string Expand(string word, StageState state, ISet<string>? used = null) =>
        _expander.ExpandWord(word, state.ExpansionScope(), used);

    /// <summary>The ARGs among <paramref name="names"/>, with their values (for cache keys: what a step used).</summary>
    private static IEnumerable<KeyValuePair<string, string?>> ArgsUsed(StageState state, IEnumerable<string> names)
    {
        var env = state.Environment();
        foreach (string name in names)
            if (state.Args.TryGetValue(name, out var value) && !env.ContainsKey(name)) yield return new(name, value);
    }

    private void MetadataStep(StageState state, Instruction instruction)
    {
        var config = state.Config;
        string? history = null;
        switch (instruction)
        {
            case ArgInstruction arg:
                foreach (var declaration in arg.Arguments)
                {
                    string? value = _options.BuildArgs.TryGetValue(declaration.Name, out var given) ? given
                        : declaration.DefaultValue is { } d ? Expand(d, state)
                        : _globalArgs.GetValueOrDefault(declaration.Name);
                    state.Args[declaration.Name] = value;
                }
                return; // no history, as BuildKit
            case EnvInstruction env:
            {
                var parts = new List<string>();
                foreach (var variable in env.Variables)
                {
                    string value = Expand(variable.Value, state);
                    state.SetEnv(variable.Key, value);
                    parts.Add($"{variable.Key}={value}");
                }
                history = "ENV " + string.Join(" ", parts);
                config = state.Config;
                break;
            }
            case LabelInstruction label:
            {
                var labels = new Dictionary<string, string>(config.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
                var parts = new List<string>();
                foreach (var kv in label.Labels)
                {
                    string key = Expand(kv.Key, state), value = Expand(kv.Value, state);
                    labels[key] = value;
                    parts.Add($"{key}={value}");
                }
                config = config with { Labels = labels };
                history = "LABEL " + string.Join(" ", parts);
                break;
            }
            case ExposeInstruction expose:
            {
                var keys = new List<string>();
                foreach (string word in expose.Ports.SelectMany(p => _expander.ExpandWords(p, state.ExpansionScope())))
                {
                    try { keys.AddRange(PortSpec.Parse(word).Keys); }
                    catch (FormatException e) { throw new BuildException($"{instruction.Location}: EXPOSE {word}: {e.Message}", null, e); }
                }
                config = config with { ExposedPorts = WithKeys(config.ExposedPorts, keys) };
                history = "EXPOSE " + string.Join(" ", keys);
                break;
            }
            case WorkdirInstruction workdir:
            {
                string path = Expand(workdir.Path, state);
                path = ContextPath.Clean(path.StartsWith('/') ? path : state.WorkingDir.TrimEnd('/') + "/" + path);
                config = config with { WorkingDir = path };
                history = "WORKDIR " + path;
                break;
            }
            case UserInstruction user:
                config = config with { User = Expand(user.User, state) };
                history = "USER " + config.User;
                break;
            case VolumeInstruction volume:
            {
                var paths = volume.Paths.Select(p => Expand(p, state)).ToList();
                if (paths.Any(p => p.Length == 0)) throw new BuildException($"{instruction.Location}: VOLUME specified can not be an empty string");
                config = config with { Volumes = WithKeys(config.Volumes, paths) };
                history = "VOLUME [" + string.Join(" ", paths) + "]";
                break;
            }
            case StopSignalInstruction signal:
                config = config with { StopSignal = Expand(signal.Signal, state) };
                history = "STOPSIGNAL " + config.StopSignal;
                break;
            case CmdInstruction cmd:
                config = config with { Cmd = CommandOf(state, cmd.Command) };
                state.CmdSet = true;
                history = "CMD " + JsonSerializer.Serialize(config.Cmd);
                break;
            case EntrypointInstruction entrypoint:
                config = config with { Entrypoint = CommandOf(state, entrypoint.Command), Cmd = state.CmdSet ? config.Cmd : null };
                history = "ENTRYPOINT " + JsonSerializer.Serialize(config.Entrypoint);
                break;
            case ShellInstruction shell:
                config = config with { Shell = [.. shell.Shell] };
                history = "SHELL " + JsonSerializer.Serialize(shell.Shell);
                break;
            case HealthcheckInstruction health:
                config = config with { Healthcheck = HealthOf(state, health) };
                history = "HEALTHCHECK " + JsonSerializer.Serialize(config.Healthcheck!.Test);
                break;
            case OnbuildInstruction onbuild:
                config = config with { OnBuild = [.. config.OnBuild ?? [], onbuild.TriggerText] };
                history = "ONBUILD " + onbuild.TriggerText;
                break;
            case MaintainerInstruction maintainer:
                state.Author = maintainer.Maintainer;
                history = "MAINTAINER " + maintainer.Maintainer;
                break;
            default:
                throw new BuildException($"{instruction.Location}: {instruction.Keyword} is not supported by this builder");
        }
        state.Config = config;
        state.History.Add(new HistoryEntry
        {
            Created = _options.SourceDateEpoch ?? DateTimeOffset.UtcNow,
            CreatedBy = "/bin/sh -c #(nop) " + history,
            EmptyLayer = true,
        });
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>A Docker "set" (ExposedPorts, Volumes: keys with empty objects) with <paramref name="keys"/> added.</summary>
    private static SortedDictionary<string, JsonElement> WithKeys(IReadOnlyDictionary<string, JsonElement>? set, IEnumerable<string> keys)
    {
        var result = new SortedDictionary<string, JsonElement>(set?.ToDictionary() ?? [], StringComparer.Ordinal);
        foreach (string key in keys) result[key] = EmptyObject;
        return result;
    }

    /// <summary>CMD/ENTRYPOINT: the exec form as written; the shell form run by the stage's SHELL.</summary>
    private static List<string> CommandOf(StageState state, CommandLine command) =>
        command.IsShellForm ? [.. state.Shell, command.ShellText!] : [.. command.Arguments];

    private static HealthConfig HealthOf(StageState state, HealthcheckInstruction health)
    {
        static long? Ns(TimeSpan? t) => t is { } v ? v.Ticks * 100 : null;
        IReadOnlyList<string> test = health.Test is null ? ["NONE"]
            : health.Test.IsShellForm ? ["CMD-SHELL", health.Test.ShellText!]
            : ["CMD", .. health.Test.Arguments];
        return new HealthConfig
        {
            Test = test,
            Interval = Ns(health.Interval),
            Timeout = Ns(health.Timeout),
            StartPeriod = Ns(health.StartPeriod),
            StartInterval = Ns(health.StartInterval),
            Retries = health.Retries,
        };
    }

    public void Dispose()
    {
        foreach (var chain in _sourceMounts.Keys)
        {
            try { _store.Layers.Unmount(chain, Holder); }
            catch (Exception e) { _log.Warning($"could not release the mount of layer {chain}: {e.Message}"); }
        }
        _sourceMounts.Clear();
    }
}
