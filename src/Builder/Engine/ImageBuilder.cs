using System.Text;
using System.Text.Json;
using Images.Builder.Context;
using Images.Builder.Parsing;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Core.References;
using Images.Store;
using Images.Store.Catalog;
using Images.Store.Layers;

namespace Images.Builder.Engine;

/// <summary>
/// Builds an image from a recipe and a context, one committed layer per filesystem step, like Docker's classic
/// builder: stages in order (only those the target needs), FROM scratch / an earlier stage / an image in the store,
/// COPY/ADD/RUN each in a rw layer on the parent that is then committed, metadata steps as history with
/// <c>empty_layer</c>. Filesystem steps go through the build cache (see <see cref="CacheKeys"/>).
/// A failed step leaves no rw layer or mount behind; the layers of the steps before it stay cached.
/// </summary>
public sealed class ImageBuilder
{
    private readonly LocalStore _store;
    private readonly BuildLog _log;

    public ImageBuilder(LocalStore store, BuildLog log)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(log);
        _store = store;
        _log = log;
    }

    public BuildResult Build(BuildOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var recipe = RecipeParser.Parse(options.RecipeText, options.RecipeName);
        var context = BuildContext.Open(options.ContextDirectory, options.RecipeName);
        var tags = options.Tags.Select(t => Reference.TryParse(t, out var r) && r.Tag is not null
            ? r : throw new BuildException($"-t {t}: not a valid name:tag (e.g. example/app:1.0)")).ToList();
        using var lease = _store.EnterWrite();
        using var run = new BuildRun(_store, _log, recipe, context, options, cancel);
        var state = run.Execute();
        var (imageId, manifest) = WriteImage(state, options);
        var image = _store.Images.Get(imageId)!;
        foreach (var tag in tags) _store.Images.Tag(image.Id, tag);
        _log.Note($"Successfully built {imageId.Encoded[..12]}");
        foreach (var tag in tags) _log.Note($"Successfully tagged {tag.ToFamiliarString()}");
        return new BuildResult(imageId, manifest, run.Warnings, run.CachedSteps, run.ExecutedSteps);
    }

    private (Digest ImageId, Digest Manifest) WriteImage(StageState state, BuildOptions options)
    {
        var created = options.SourceDateEpoch ?? DateTimeOffset.UtcNow;
        var containerConfig = state.Config;
        if (options.Labels.Count > 0)
        {
            var labels = new Dictionary<string, string>(containerConfig.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var (k, v) in options.Labels) labels[k] = v;
            containerConfig = containerConfig with { Labels = labels };
        }
        var platform = Images.Core.Oci.Platform.Current;
        var config = new ImageConfig
        {
            Created = created,
            Author = state.Author,
            Architecture = platform.Architecture,
            Os = platform.Os,
            Variant = platform.Variant,
            Config = containerConfig,
            RootFs = new RootFs { DiffIds = [.. state.DiffIds] },
            History = [.. state.History],
        };
        var configBytes = OciJson.Serialize(config);
        var configInfo = _store.Content.Write(configBytes);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configInfo.Digest, Size = configInfo.Size },
            Layers = LayerBlobs(state.Top),
        };
        var manifestInfo = _store.Content.Write(OciJson.Serialize(manifest));
        var image = _store.Images.Add(manifestInfo.Digest);
        return (image.Id, manifestInfo.Digest);
    }

    /// <summary>The blob of each layer of the chain, bottom first.</summary>
    private List<Descriptor> LayerBlobs(Digest? top)
    {
        var blobs = new List<Descriptor>();
        for (var chain = top; chain is { } c;)
        {
            var layer = _store.Layers.Get(c) ?? throw new LayerNotFoundException(c);
            blobs.Add(layer.Blobs.FirstOrDefault(b => _store.Content.Exists(b.Digest)) ?? layer.Blobs[0]);
            chain = layer.Parent;
        }
        blobs.Reverse();
        return blobs;
    }
}
