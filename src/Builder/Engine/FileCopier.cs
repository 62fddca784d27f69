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
        bool destIsDirectory = endsWithSlash || new RootedResolver(root).ResolveDirectory(destRel, create: false, destRel) is not null;

        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        var producer = Task.Run(() =>
        {
            using var stream = pipe.Writer.AsStream();
            try
            {
                using var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
                foreach (var item in request.Items)
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
        if (request.ExtractArchives && status.Kind == FileKind.Regular && LocalArchive.TryOpenTar(full) is { } archive)
        {
            using (archive) Extract(tar, archive, destRel, item.Path);
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

    /// <summary>Re-writes an archive's entries under <paramref name="destRel"/>; an entry leading out of it is refused.</summary>
    private static void Extract(TarWriter tar, Stream archive, string destRel, string source)
    {
        using var reader = new TarReader(archive, leaveOpen: true);
        while (reader.GetNextEntry(copyData: false) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) continue;
            if (Inside(destRel, entry.Name, source) is not { } name) continue; // the archive's root: the destination itself
            entry.Name = name;
            if (entry.EntryType == TarEntryType.HardLink)
                entry.LinkName = Inside(destRel, entry.LinkName, source)
                    ?? throw new BuildException($"ADD {source}: archive entry '{entry.Name}' is a hard link to the archive's root");
            tar.WriteEntry(entry);
        }
    }

    private static string? Inside(string destRel, string name, string source)
    {
        string clean = ContextPath.Clean(name.TrimStart('/'));
        if (clean == ".." || clean.StartsWith("../", StringComparison.Ordinal))
            throw new BuildException($"ADD {source}: archive entry '{name}' leads outside the destination directory; refusing to extract it");
        return clean == "." ? null : Join(destRel, clean);
    }
}
