using System.Globalization;
using System.Text;
using Images.Builder.Context;
using Images.Builder.Parsing;
using Images.Core.Digests;
using Images.Core.Oci;
using Images.Store.Catalog;
using Images.Store.Layers;

namespace Images.Builder.Engine;

internal sealed partial class BuildRun
{
    /// <summary>
    /// A filesystem step: from the cache when the key is known (and caching is on), else <paramref name="change"/>
    /// carried out in a fresh rw layer on the stage's top, which is then committed (adopted, not re-applied) and
    /// recorded in the cache. The rw layer goes whatever happens.
    /// </summary>
    private void FilesystemStep(StageState state, Digest key, string createdBy, Action<string> change)
    {
        if (!_options.NoCache && _store.BuildCache.Get(key) is { Layer: { } cached } && _store.Layers.Get(cached) is { } hit)
        {
            _log.UsingCache();
            CachedSteps++;
            AddLayer(state, hit, createdBy);
            return;
        }
        string rw = $"build-{_id}-{_step}-{Guid.NewGuid():N}"[..48];
        _store.Layers.CreateRw(rw, state.Top);
        Layer layer;
        try
        {
            string root = _store.Layers.MountRw(rw);
            change(root);
            layer = _store.Layers.Commit(rw, new CommitOptions { ClampMtime = _options.SourceDateEpoch });
        }
        finally
        {
            if (_store.Layers.GetRw(rw) is not null) _store.Layers.RemoveRw(rw);
        }
        _store.BuildCache.Put(key, layer.ChainId, Encoding.UTF8.GetString(OciJson.Serialize(state.Config)));
        ExecutedSteps++;
        AddLayer(state, layer, createdBy);
    }

    private void AddLayer(StageState state, Layer layer, string createdBy)
    {
        state.Top = layer.ChainId;
        state.DiffIds.Add(layer.DiffId);
        state.History.Add(new HistoryEntry { Created = _options.SourceDateEpoch ?? DateTimeOffset.UtcNow, CreatedBy = createdBy });
    }

    private void CopyStep(StageState state, FileCopyInstruction copy)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        bool isAdd = copy is AddInstruction;
        string? from = copy is CopyInstruction { From: { } f } ? Expand(f, state, used) : null;
        BuildContext tree = from is null ? _context : SourceTree(from);
        string fromKey = from is null ? "context" : "tree " + TreeIdentity(from);

        var items = new List<CopyItem>();
        var sources = new List<string>();
        foreach (var source in copy.Sources)
        {
            if (source.Heredoc is { } heredoc)
            {
                var content = Encoding.UTF8.GetBytes(heredoc.Content);
                items.Add(new InlineItem(heredoc.Name, content));
                sources.Add($"inline {heredoc.Name} {Digest.Compute(content)}");
                continue;
            }
            string path = Expand(source.Path, state, used);
            if (isAdd && IsUrl(path))
                throw new BuildException(
                    $"ADD {path}: downloading URLs is not supported (the builder works offline); fetch the file into the build context and ADD or COPY it from there");
            IReadOnlyList<string> matches;
            try
            {
                matches = tree.Glob(from is null ? path : Resolved(tree, path));
            }
            catch (ArgumentException e)
            {
                throw new BuildException($"{copy.Keyword} {path}: {e.Message}", null, e);
            }
            if (matches.Count == 0)
                throw new BuildException(from is null
                    ? $"{copy.Keyword} failed: \"{path}\" not found in the build context or excluded by {DockerIgnore.FileName}; check the path and the ignore rules"
                    : $"{copy.Keyword} --from={from} failed: \"{path}\" not found in that stage's or image's files");
            foreach (string match in matches)
            {
                items.Add(new TreeItem(tree, match));
                // The context's sources by checksum; another stage's or image's by its layer chain (its content's name).
                sources.Add(from is null ? $"{match} {tree.Checksum(match)}" : $"{fromKey} {match}");
            }
        }

        string destination = Expand(copy.Destination, state, used);
        if (!destination.StartsWith('/'))
            destination = state.WorkingDir.TrimEnd('/') + "/" + destination;
        uint? mode = copy.Chmod is { } chmod ? ParseMode(Expand(chmod, state, used)) : null;
        string? chown = copy.Chown is { } c ? Expand(c, state, used) : null;
        bool multiple = copy.Sources.Count > 1 || items.Count > 1;

        var step = new StringBuilder(copy.Keyword);
        if (from is not null) step.Append(" --from=").Append(from);
        if (chown is not null) step.Append(" --chown=").Append(chown);
        if (mode is { } m) step.Append(" --chmod=").Append(Convert.ToString(m, 8));
        step.Append(' ').AppendJoin(' ', copy.Sources.Select(s => s.Heredoc?.Marker ?? s.Path)).Append(' ').Append(destination);
        string summary = Digest.Compute(Encoding.UTF8.GetBytes(string.Join("\n", sources))).Encoded;
        string createdBy = $"/bin/sh -c #(nop) {copy.Keyword} {(items.Count == 1 && items[0] is TreeItem ? "file" : "multi")}:{summary} in {destination} ";
        var key = CacheKeys.For(state.Top, state.Config, step.ToString(), ArgsUsed(state, used), sources);

        FilesystemStep(state, key, createdBy, root =>
        {
            var owner = chown is null ? ((uint, uint)?)null : RootfsUsers.Resolve(root, chown);
            new FileCopier(root).Run(new FileCopier.Request(items, destination, owner, mode, isAdd, multiple), _cancel);
        });
    }

    private static bool IsUrl(string path) =>
        path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWith("git@", StringComparison.Ordinal) || path.StartsWith("git://", StringComparison.OrdinalIgnoreCase);

    private static uint ParseMode(string text)
    {
        try
        {
            uint mode = Convert.ToUInt32(text, 8);
            if (mode <= 0xfff) return mode;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException) { }
        throw new BuildException($"--chmod={text}: expected an octal mode such as 0755");
    }

    /// <summary>The root of another stage (name or index) or of an image in the store, mounted read-only for this build.</summary>
    private BuildContext SourceTree(string from)
    {
        var top = TreeTop(from);
        if (top is not { } chain)
        {
            // A stage or image without layers has no files.
            string empty = Path.Combine(Path.GetTempPath(), "images-build-empty");
            Directory.CreateDirectory(empty);
            return new BuildContext(empty, DockerIgnore.Empty);
        }
        if (!_sourceMounts.TryGetValue(chain, out string? root))
        {
            root = _store.Layers.Mount(chain, Holder);
            _sourceMounts[chain] = root;
        }
        return new BuildContext(root, DockerIgnore.Empty);
    }

    private string TreeIdentity(string from) => TreeTop(from)?.ToString() ?? "empty";

    private Digest? TreeTop(string from)
    {
        if (StageNamed(from, int.MaxValue, allowIndex: true) is { } stage)
        {
            if (!_built.TryGetValue(stage.Index, out var built))
                throw new BuildException($"COPY --from={from}: stage {from} is not built before this step (a stage can only copy from earlier stages)");
            return built.Top;
        }
        try
        {
            return _store.Images.Resolve(from).TopLayer;
        }
        catch (ImageNotFoundException e)
        {
            throw new BuildException($"COPY --from={from}: no stage of that name and {e.Message} (load or pull the image first)", null, e);
        }
    }

    /// <summary>
    /// A source path in another root with its directories' symlinks resolved inside that root (so a link to /etc
    /// leads to the stage's /etc, never the host's); wildcards are left to the tree's glob.
    /// </summary>
    private static string Resolved(BuildContext tree, string path)
    {
        string rel = ContextPath.Relative(path);
        if (rel == "." || PathPattern.HasWildcard(rel)) return rel;
        var resolver = new Images.Archive.RootedResolver(tree.Root);
        // A symlink as the last component is followed too (inside the root), as Docker follows the source path itself.
        for (int links = 0; links < 40; links++)
        {
            if (resolver.ResolveEntry(rel, create: false, rel) is not { } real) return rel;
            string full = real.Length == 0 ? tree.Root : Path.Combine(tree.Root, real);
            if (!Images.Platform.Files.TryLstat(full, out var status) || status.Kind != Images.Platform.FileKind.Symlink) return real;
            string target = new FileInfo(full).LinkTarget!;
            string parent = real.Contains('/') ? real[..real.LastIndexOf('/')] : "";
            rel = ContextPath.Relative(target.StartsWith('/') ? target : parent + "/" + target);
        }
        throw new BuildException($"\"{path}\": too many levels of symbolic links");
    }
}
