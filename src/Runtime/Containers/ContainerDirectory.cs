using System.Text.Json;
using System.Text.Json.Serialization;
using Images.Platform;

namespace Images.Runtime.Containers;

/// <summary>
/// The files of one container under <c>&lt;root&gt;/containers/&lt;id&gt;/</c>: config.json (fixed), state.json
/// (replaced atomically), container.log (the detached process's stdout and stderr) and lock (held while the state
/// changes hands).
/// </summary>
internal sealed class ContainerDirectory(string path)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string Path { get; } = path;
    public string Id => System.IO.Path.GetFileName(Path);
    public string ConfigFile => System.IO.Path.Combine(Path, "config.json");
    public string StateFile => System.IO.Path.Combine(Path, "state.json");
    public string LogFile => System.IO.Path.Combine(Path, "container.log");
    public string LockFile => System.IO.Path.Combine(Path, "lock");

    public bool Exists => File.Exists(ConfigFile);

    public ContainerSpec ReadSpec() =>
        JsonSerializer.Deserialize<ContainerSpec>(File.ReadAllBytes(ConfigFile), Json)
        ?? throw new InvalidDataException($"{ConfigFile} is empty");

    public ContainerState ReadState() =>
        File.Exists(StateFile)
            ? JsonSerializer.Deserialize<ContainerState>(File.ReadAllBytes(StateFile), Json) ?? new ContainerState()
            : new ContainerState();

    public void WriteSpec(ContainerSpec spec) => WriteAtomically(ConfigFile, JsonSerializer.SerializeToUtf8Bytes(spec, Json));

    public void WriteState(ContainerState state) => WriteAtomically(StateFile, JsonSerializer.SerializeToUtf8Bytes(state, Json));

    /// <summary>Holds the container's lock: one party at a time reads-then-writes its state.</summary>
    public FileLock Lock() => FileLock.Acquire(LockFile, exclusive: true);

    private static void WriteAtomically(string file, byte[] bytes)
    {
        string tmp = file + ".tmp" + Environment.ProcessId;
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(tmp, file, overwrite: true);
    }
}
