using System.Formats.Tar;
using System.IO.Pipelines;
using Images.Archive;
using Images.Builder.Context;
using Images.Platform;

namespace Images.Builder.Engine;

/// <summary>
/// Carries out COPY and ADD on a mounted root filesystem. What is copied is written as a tar stream and applied with
/// the archive code's <see cref="LayerApplier"/>, which resolves every path inside the root (a symlink in the image
/// cannot lead a write outside it), creates missing parents 0755 and restores modes, owners and times. Docker's
/// rules: several sources need a destination ending in '/'; a directory source copies its contents; a file goes
/// into the destination when that ends in '/' or is an existing directory, else becomes it; ADD extracts local
/// tar archives (plain, gzip, bzip2, xz, zstd) into the destination directory.
/// </summary>
internal sealed class FileCopier(string root)
{
    public sealed record Request(
        IReadOnlyList<CopyItem> Items,
        string Destination,       // absolute, WORKDIR already applied; a trailing '/' kept
        (uint Uid, uint Gid)? Owner,
        uint? Mode,
        bool ExtractArchives,
        bool MultipleSources);

    public void Run(Request request, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        string destination = ContextPath.Clean(request.Destination);
        string destRel = destination == "/" ? "" : destination.TrimStart('/');
        bool endsWithSlash = request.Destination.EndsWith('/') || request.Destination.EndsWith("/.", StringComparison.Ordinal) || destRel.Length == 0;
        if (request.MultipleSources && !endsWithSlash)
            throw new BuildException($"when copying more than one source, the destination must be a directory and end with a '/' (\"{request.Destination}\")");
        bool destExists = new RootedResolver(root).ResolveDirectory(destRel, create: false, destRel) is not null;
        bool destIsDirectory = endsWithSlash || destExists;
        // A destination directory made for this copy belongs to --chown's owner (implied parents above it to root).
        var items = request.Items;
        if (destIsDirectory && !destExists && request.Owner is not null && destRel.Length > 0)
            items = [new MadeDirectory(), .. items];

        var archives = request.ExtractArchives ? items.OfType<TreeItem>().Where(IsArchive).ToList() : [];
        ApplyTar(request, destRel, destIsDirectory, items.Where(i => !archives.Contains(i)).ToList(), cancel);
        foreach (var archive in archives) Extract(archive, destRel);
    }

    private static bool IsArchive(TreeItem item)
    {
        string full = item.Tree.FullPath(item.Path);
        if (!Files.TryLstat(full, out var status) || status.Kind != FileKind.Regular) return false;
        using var tar = LocalArchive.TryOpenTar(full);
        return tar is not null;
    }

    /// <summary>
    /// ADD of a local archive: extracted into the destination directory, which the archive cannot leave (the
    /// applier resolves every entry inside it); owners and modes as the archive has them, as Docker does.
    /// </summary>
    private void Extract(TreeItem item, string destRel)
    {
        string dir = new RootedResolver(root).ResolveDirectory(destRel, create: true, destRel)!;
        using var tar = LocalArchive.TryOpenTar(item.Tree.FullPath(item.Path))!;
        try
        {
            LayerApplier.Apply(tar, dir.Length == 0 ? root : Path.Combine(root, dir), new ApplyOptions { Whiteouts = Core.Layers.WhiteoutFormat.Applied });
        }
        catch (Exception e) when (e is ArchiveException or InvalidDataException)
        {
            throw new BuildException($"ADD {item.Path}: the archive cannot be extracted: {e.Message}", null, e);
        }
    }

    private void ApplyTar(Request request, string destRel, bool destIsDirectory, IReadOnlyList<CopyItem> items, CancellationToken cancel)
    {
        if (items.Count == 0) return;
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        var producer = Task.Run(() =>
        {
            using var stream = pipe.Writer.AsStream();
            try
            {
                using var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
                foreach (var item in items)
                {
                    cancel.ThrowIfCancellationRequested();
                    Write(tar, item, request, destRel, destIsDirectory);
                }
            }
            catch (Exception e)
            {
                pipe.Writer.Complete(e);
                throw;
            }
        }, cancel);
        try
        {
            using var reader = pipe.Reader.AsStream();
            LayerApplier.Apply(reader, root, new ApplyOptions { Whiteouts = Core.Layers.WhiteoutFormat.Applied });
        }
        catch (Exception) when (producer.IsFaulted)
        {
            // The producer's failure (a source file vanished, a bad archive) is the cause; the applier saw a cut stream.
        }
        catch
        {
            pipe.Reader.Complete();
            try { producer.Wait(); } catch (AggregateException) { }
            throw;
        }
        try
        {
            producer.Wait();
        }
        catch (AggregateException e) when (e.InnerException is { } inner)
        {
            throw inner is BuildException or OperationCanceledException ? inner : new BuildException(inner.Message, null, inner);
        }
    }

    private static string Join(string dir, string name) => dir.Length == 0 ? name : dir + "/" + name;

    private static void Write(TarWriter tar, CopyItem item, Request request, string destRel, bool destIsDirectory)
    {
        switch (item)
        {
            case InlineItem inline:
            {
                string target = destIsDirectory ? Join(destRel, inline.Name) : destRel;
                var entry = new PaxTarEntry(TarEntryType.RegularFile, target)
                {
                    Mode = (UnixFileMode)(request.Mode ?? 0x1a4),
                    Uid = (int)(request.Owner?.Uid ?? 0),
                    Gid = (int)(request.Owner?.Gid ?? 0),
                    ModificationTime = DateTimeOffset.UnixEpoch,
                    DataStream = new MemoryStream(inline.Content, writable: false),
                };
                tar.WriteEntry(entry);
                break;
            }
            case MadeDirectory:
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, destRel)
                {
                    Mode = (UnixFileMode)0x1ed,
                    Uid = (int)request.Owner!.Value.Uid,
                    Gid = (int)request.Owner!.Value.Gid,
                    ModificationTime = DateTimeOffset.UnixEpoch,
                });
                break;
            case TreeItem tree:
                WriteTree(tar, tree, request, destRel, destIsDirectory);
                break;
        }
    }

    private static void WriteTree(TarWriter tar, TreeItem item, Request request, string destRel, bool destIsDirectory)
    {
        string full = item.Tree.FullPath(item.Path);
        var status = Files.Lstat(full);
        if (status.Kind == FileKind.Directory)
        {
            // The directory's contents go into the destination; the destination gets the directory's own entry.
            if (destRel.Length > 0) WriteEntry(tar, destRel, full, status, null, request);
            string prefix = item.Path == "." ? "" : item.Path + "/";
            foreach (var entry in item.Tree.Walk(item.Path))
                WriteEntry(tar, Join(destRel, entry.Path[prefix.Length..]), item.Tree.FullPath(entry.Path), entry.Status, entry.LinkTarget, request);
            return;
        }
        string name = item.Path == "." ? "" : item.Path[(item.Path.LastIndexOf('/') + 1)..];
        string target = destIsDirectory ? Join(destRel, name) : destRel;
        string? link = status.Kind == FileKind.Symlink ? new FileInfo(full).LinkTarget : null;
        WriteEntry(tar, target, full, status, link, request);
    }

    private static void WriteEntry(TarWriter tar, string name, string full, FileStatus status, string? linkTarget, Request request)
    {
        var type = status.Kind switch
        {
            FileKind.Regular => TarEntryType.RegularFile,
            FileKind.Directory => TarEntryType.Directory,
            FileKind.Symlink => TarEntryType.SymbolicLink,
            FileKind.CharDevice => TarEntryType.CharacterDevice,
            FileKind.BlockDevice => TarEntryType.BlockDevice,
            FileKind.Fifo => TarEntryType.Fifo,
            _ => throw new BuildException($"cannot copy '{full}': sockets and unknown file types are not copied"),
        };
        uint mode = status.Kind == FileKind.Symlink ? 0x1ff : request.Mode ?? status.Permissions;
        var entry = new PaxTarEntry(type, name)
        {
            Mode = (UnixFileMode)mode,
            Uid = (int)(request.Owner?.Uid ?? 0),
            Gid = (int)(request.Owner?.Gid ?? 0),
            ModificationTime = status.ModifiedTime,
        };
        if (linkTarget is not null) entry.LinkName = linkTarget;
        if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            entry.DeviceMajor = (int)status.RdevMajor;
            entry.DeviceMinor = (int)status.RdevMinor;
        }
        if (type == TarEntryType.RegularFile)
        {
            using var data = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            entry.DataStream = data;
            tar.WriteEntry(entry);
            return;
        }
        tar.WriteEntry(entry);
    }
}

/// <summary>The destination directory a copy creates (owned by --chown's owner).</summary>
internal sealed record MadeDirectory : CopyItem;
