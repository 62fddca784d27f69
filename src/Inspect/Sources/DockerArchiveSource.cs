using System.Formats.Tar;
using Images.Archive;
using Images.Core.Oci;
using Images.Store.Transfer;

namespace Images.Inspect.Sources;

/// <summary>
/// An image of a docker-archive tar (<c>docker save</c>, <c>skopeo copy … docker-archive:</c>), read in place: one pass
/// over the outer tar's headers notes where each file's bytes lie (manifest.json may come last), then each layer tar is
/// read straight from its range of the file. The archive must be an uncompressed tar (as docker and skopeo write it):
/// ranges need a seekable file.
/// </summary>
public sealed class DockerArchiveSource : IImageSource
{
    private const int MaxDocumentSize = 16 << 20;
    private const int MaxLinkHops = 16;

    private readonly string _path;
    private readonly Dictionary<string, (long Start, long Length)> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> _layers;

    public DockerArchiveSource(string path, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
        Name = name is null ? $"docker-archive:{path}" : $"docker-archive:{path}:{name}";
        if (!File.Exists(path))
            throw new InspectException($"{Name}: no such file; give the path of a docker-archive tar (docker save -o, skopeo copy docker-archive:).");
        Catalog();
        var entries = SourceJson.Parse<List<DockerArchiveManifest>>(Name, ReadFile("manifest.json", "manifest.json"), "manifest.json");
        DockerArchiveManifest chosen;
        if (name is not null)
        {
            chosen = entries.FirstOrDefault(e => e.RepoTags?.Any(t => t == name || t == name + ":latest" || t == "docker.io/" + name || t == "docker.io/library/" + name) == true)
                ?? throw new InspectException($"{Name}: no image named \"{name}\" in the archive (it has: {string.Join(", ", entries.SelectMany(e => e.RepoTags ?? []))}).");
        }
        else
        {
            chosen = entries.Count == 1 ? entries[0]
                : throw new InspectException($"{Name}: the archive holds {entries.Count} images; name one as docker-archive:{path}:NAME:TAG.");
        }
        Config = SourceJson.Parse<ImageConfig>(Name, ReadFile(chosen.Config, "config"), $"config {chosen.Config}");
        _layers = chosen.Layers;
        if (Config.RootFs.DiffIds.Count != _layers.Count)
            throw new InspectException(
                $"{Name}: manifest.json lists {_layers.Count} layers but the config lists {Config.RootFs.DiffIds.Count} diff_ids; the archive is inconsistent: make it again.");
    }

    public string Name { get; }
    public ImageConfig Config { get; }
    public int LayerCount => _layers.Count;

    public Stream OpenLayer(int index)
    {
        var (start, length) = Locate(_layers[index], $"layer {index + 1}");
        return Compression.OpenDecompressed(new FileRange(_path, start, length));
    }

    private void Catalog()
    {
        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[Compression.MagicLength];
        int read = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        if (Compression.Detect(magic[..read]) != LayerCompression.None)
            throw new InspectException($"{Name}: the archive is compressed; inspecting reads it in place, so decompress it first (gunzip or zstd -d) and give the tar.");
        file.Position = 0;
        using var reader = new TarReader(file, leaveOpen: true);
        string? current = null;
        try
        {
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                current = entry.Name;
                if (LayerEntries.Normalize(entry.Name) is not { } path || path == "/") continue;
                switch (entry.EntryType)
                {
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        // On a seekable stream the reader leaves the position past the entry's data and its padding
                        // to a whole block, so the data starts that far back.
                        long start = file.Position - ((entry.Length + 511) & ~511L);
                        if (start < 512 || start + entry.Length > file.Length)
                            throw new InvalidDataException($"cannot locate the data of \"{entry.Name}\" in the file");
                        _files[path] = (start, entry.Length);
                        break;
                    case TarEntryType.HardLink when LayerEntries.Normalize(entry.LinkName) is { } target:
                        _links[path] = target;
                        break;
                    case TarEntryType.SymbolicLink:
                        string directory = path[..path.LastIndexOf('/')];
                        if (LayerEntries.Normalize(entry.LinkName.StartsWith('/') ? entry.LinkName : directory + "/" + entry.LinkName) is { } resolved)
                            _links[path] = resolved;
                        break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            string where = current is null ? "at its start" : $"after entry \"{current}\"";
            throw new InspectException($"{Name}: the archive is truncated or is not a tar ({where}: {e.Message}); make it again.", e);
        }
    }

    private (long Start, long Length) Locate(string name, string role)
    {
        string? current = LayerEntries.Normalize(name);
        for (int hop = 0; current is not null && hop <= MaxLinkHops; hop++)
        {
            if (_files.TryGetValue(current, out var range)) return range;
            current = _links.GetValueOrDefault(current);
        }
        throw new InspectException($"{Name}: {role} \"{name}\" is not a file in the archive; the archive is incomplete: make it again.");
    }

    private byte[] ReadFile(string name, string role)
    {
        var (start, length) = Locate(name, role);
        if (length > MaxDocumentSize)
            throw new InspectException($"{Name}: {role} \"{name}\" is {length} bytes, far larger than any real one; this is not a docker-archive.");
        using var range = new FileRange(_path, start, length);
        var bytes = new byte[length];
        range.ReadExactly(bytes);
        return bytes;
    }

    public void Dispose()
    {
    }
}
