using Images.Core.Digests;
using Images.Core.Oci;

namespace Images.Builder.Engine;

/// <summary>A stage's image as it is built: its layers, config, history and the ARGs in scope.</summary>
internal sealed class StageState
{
    public static readonly IReadOnlyList<string> DefaultShell = ["/bin/sh", "-c"];

    public Digest? Top { get; set; }
    public List<Digest> DiffIds { get; init; } = [];
    public List<HistoryEntry> History { get; init; } = [];
    public ContainerConfig Config { get; set; } = new();
    public string? Author { get; set; }

    /// <summary>ARGs declared in this stage so far: value, or null when declared without one.</summary>
    public Dictionary<string, string?> Args { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether this stage set CMD (ENTRYPOINT then keeps it; else ENTRYPOINT clears an inherited CMD).</summary>
    public bool CmdSet { get; set; }

    public IReadOnlyList<string> Shell => Config.Shell ?? DefaultShell;

    public string WorkingDir => string.IsNullOrEmpty(Config.WorkingDir) ? "/" : Config.WorkingDir;

    /// <summary>A new stage's state on this one (FROM of an earlier stage): the image, not the ARGs.</summary>
    public StageState Derive() => new()
    {
        Top = Top,
        DiffIds = [.. DiffIds],
        History = [.. History],
        Config = Config,
        Author = Author,
    };

    /// <summary>ENV as name -> value (a later entry wins, as in the runtime).</summary>
    public Dictionary<string, string> Environment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in Config.Env ?? [])
        {
            int eq = entry.IndexOf('=');
            if (eq > 0) env[entry[..eq]] = entry[(eq + 1)..];
        }
        return env;
    }

    /// <summary>What variables expand to: ARGs, overridden by ENV of the same name (Docker's rule).</summary>
    public Dictionary<string, string?> ExpansionScope()
    {
        var scope = new Dictionary<string, string?>(Args, StringComparer.Ordinal);
        foreach (var (k, v) in Environment()) scope[k] = v;
        return scope;
    }

    public void SetEnv(string name, string value)
    {
        // Replaced where it was, else appended: Docker keeps the order of first definition.
        var list = (Config.Env ?? []).ToList();
        int at = list.FindIndex(e => e.StartsWith(name + "=", StringComparison.Ordinal) || e == name);
        if (at >= 0) list[at] = name + "=" + value;
        else list.Add(name + "=" + value);
        Config = Config with { Env = list };
    }
}
