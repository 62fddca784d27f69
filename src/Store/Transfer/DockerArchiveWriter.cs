using System.Text.Json;
using Images.Core.Digests;
using Images.Core.Oci;

namespace Images.Store.Transfer;

/// <summary>
/// Writes images as a docker-archive, the layout <c>docker load</c> of every Docker version reads: <c>manifest.json</c>,
/// the config as <c>&lt;id&gt;.json</c> (exact bytes, so the image id is kept), each layer as the uncompressed tar
/// <c>&lt;diffID&gt;.tar</c> (decompressed from its blob on the fly and checked against the diffID), and the legacy
/// <c>repositories</c> file (repository → tag → image id; informational, loaders use manifest.json).
/// </summary>
internal static class DockerArchiveWriter
{
    public static void Write(LocalStore store, IReadOnlyList<SavedImage> images, IArchiveSink sink)
    {
        var entries = new List<DockerArchiveManifest>();
        var repositories = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var saved in images)
        {
            var (_, config) = store.Images.ReadConfig(saved.Image);
            entries.Add(new DockerArchiveManifest
            {
                Config = ConfigPath(saved.Image.Id),
                RepoTags = saved.Names.Count == 0 ? null : saved.Names.Select(n => n.ToFamiliarString()).ToList(),
                Layers = config.RootFs.DiffIds.Select(LayerPath).ToList(),
            });
            foreach (var name in saved.Names)
            {
                if (!repositories.TryGetValue(name.FamiliarName, out var tags))
                    repositories[name.FamiliarName] = tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
                tags[name.Tag!] = saved.Image.Id.Encoded;
            }
        }
        sink.Add(ArchivePaths.DockerManifest, JsonSerializer.SerializeToUtf8Bytes(entries, OciJson.Options));
        sink.Add(ArchivePaths.Repositories, JsonSerializer.SerializeToUtf8Bytes(repositories, OciJson.Options));

        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var saved in images)
        {
            var (configBytes, config) = store.Images.ReadConfig(saved.Image);
            if (written.Add(ConfigPath(saved.Image.Id))) sink.Add(ConfigPath(saved.Image.Id), configBytes);
            var chain = ChainId.All(config.RootFs.DiffIds);
            for (int i = 0; i < chain.Count; i++)
            {
                var diffId = config.RootFs.DiffIds[i];
                if (written.Add(LayerPath(diffId))) WriteLayer(store, sink, chain[i], diffId);
            }
        }
    }

    private static void WriteLayer(LocalStore store, IArchiveSink sink, Digest chainId, Digest diffId)
    {
        using var diff = new HashingStream(store.Layers.OpenDiff(chainId), diffId.Algorithm);
        sink.Add(LayerPath(diffId), diff);
        var actual = diff.GetDigest();
        if (actual != diffId)
            throw new TransferException(
                $"layer {chainId} decompresses to {actual}, not to its diffID {diffId}: its blob is damaged; run 'images check --repair' and pull or load the image again.");
    }

    private static string ConfigPath(Digest imageId) => $"{imageId.Encoded}.json";

    private static string LayerPath(Digest diffId) => $"{diffId.Encoded}.tar";
}
