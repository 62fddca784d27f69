using System.Buffers;
using System.Formats.Tar;
using Images.Core.Layers;
using Images.Platform;
using Microsoft.Win32.SafeHandles;

namespace Images.Archive;

/// <summary>One run of <see cref="LayerApplier"/>: the state an apply keeps between entries.</summary>
internal sealed class LayerApplication
{
    private const int CopyBufferSize = 256 * 1024;

    private readonly RawPaxCapture _tar;
    private readonly ApplyOptions _options;
    private readonly RootedResolver _target;
    private readonly RootedResolver[] _lowers;

    /// <summary>Real relative paths this layer wrote: its whiteouts never remove these (Applied and Overlay).</summary>
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    /// <summary>Overlay: paths this layer whited out; a directory the layer then puts there must be opaque.</summary>
    private readonly HashSet<string> _whitedOut = new(StringComparer.Ordinal);

    /// <summary>Directory mtimes, set at the end: writing their content would change them again.</summary>
    private readonly List<(string Path, DateTimeOffset Mtime)> _directoryTimes = [];

    private long _entries;
    private long _contentBytes;
    private long _declaredBytes;

    public LayerApplication(Stream tar, string root, ApplyOptions options)
    {
        _tar = new RawPaxCapture(tar);
        _options = options;
        _lowers = [.. options.LowerDirectories.Select(d => new RootedResolver(TreeEntries.NormalizeRoot(d, nameof(options.LowerDirectories))))];
        _target = new RootedResolver(root) { DirectoryCreated = _lowers.Length > 0 ? TakeLowerDirectoryMetadata : null };
    }

    public ApplyResult Run(CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        string last = "(start of archive)";
        try
        {
            using var reader = new TarReader(_tar, leaveOpen: true);
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                TarEntry? entry;
                try
                {
                    entry = reader.GetNextEntry(copyData: false);
                }
                catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or ArgumentException or InvalidOperationException)
                {
                    throw new ArchiveException($"layer tar is corrupt or truncated after entry '{last}': {e.Message}", e);
                }
                if (entry is null) break;
                last = entry.Name;
                if (++_entries > _options.MaxEntries)
                    throw ArchiveException.ForEntry(entry.Name, $"the layer has more than {_options.MaxEntries} entries (ApplyOptions.MaxEntries); refusing it as a likely decompression bomb");
                try
                {
                    ApplyEntry(entry, buffer);
                }
                catch (UnixException e)
                {
                    throw new IOException($"applying layer entry '{entry.Name}' to {_target.Root}: {e.Message}", e);
                }
                catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
                {
                    throw ArchiveException.ForEntry(entry.Name, $"layer tar is corrupt or truncated: {e.Message}");
                }
            }
            foreach (var (path, mtime) in _directoryTimes)
                if (Files.TryLstat(path, out var status) && status.Kind == FileKind.Directory)
                    Files.SetTimesNoFollow(path, mtime);
            return new ApplyResult(_entries, _contentBytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ApplyEntry(TarEntry entry, byte[] buffer)
    {
        string name = entry.Name;
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) return;
        string rel = Clean(name, name);
        if (rel.Length == 0)
        {
            if (entry.EntryType != TarEntryType.Directory)
                throw ArchiveException.ForEntry(name, "names the root of the layer but is not a directory");
            SetMetadata(entry, _target.Root, isDirectory: true, isSymlink: false);
            return;
        }
        var (parent, last) = TreeEntries.Split(rel);
        bool keepWhiteouts = _options.Whiteouts == WhiteoutFormat.Aufs;
        if (Whiteouts.TryGetRemovedName(last, out var removed) && !Whiteouts.IsValidRemovedName(removed))
            throw ArchiveException.ForEntry(name, $"is a whiteout of '{removed}', which is not an entry name");
        if (!keepWhiteouts)
        {
            if (rel.Split('/').Any(Whiteouts.IsMeta)) return; // AUFS bookkeeping, not content
            if (Whiteouts.IsOpaqueMarker(last))
            {
                MakeOpaque(parent, name);
                return;
            }
            if (removed is not null)
            {
                WhiteOut(parent, removed, name);
                return;
            }
        }

        string target = _target.ResolveEntry(rel, create: true, name)!;
        string full = _target.Full(target);
        switch (entry.EntryType)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                if ((_declaredBytes += entry.Length) > _options.MaxBytes)
                    throw ArchiveException.ForEntry(name, $"the layer holds more than {_options.MaxBytes} bytes (ApplyOptions.MaxBytes); refusing it as a likely decompression bomb");
                RemoveExisting(full, keepDirectory: false);
                WriteFile(entry, full, buffer);
                _written.Add(target);
                return;
            case TarEntryType.Directory:
                bool merged = RemoveExisting(full, keepDirectory: true);
                if (!merged) Directory.CreateDirectory(full);
                if (_options.Whiteouts == WhiteoutFormat.Overlay && _whitedOut.Contains(target)) Whiteouts.MarkOverlayOpaque(full);
                break;
            case TarEntryType.SymbolicLink:
                RemoveExisting(full, keepDirectory: false);
                File.CreateSymbolicLink(full, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                string source = HardLinkSource(entry.LinkName, name);
                if (source == full) return;
                RemoveExisting(full, keepDirectory: false);
                Files.HardLink(source, full);
                _written.Add(target);
                return; // the link shares the inode, and with it the metadata, of its source
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                if (!Files.IsRoot)
                    throw ArchiveException.ForEntry(name, "is a device node, which only root can create; apply the layer as root");
                RemoveExisting(full, keepDirectory: false);
                var device = (PosixTarEntry)entry;
                Files.Mknod(full, (entry.EntryType == TarEntryType.CharacterDevice ? Files.S_IFCHR : Files.S_IFBLK) | 0x180,
                    (uint)device.DeviceMajor, (uint)device.DeviceMinor);
                break;
            case TarEntryType.Fifo:
                RemoveExisting(full, keepDirectory: false);
                Files.Mknod(full, Files.S_IFIFO | 0x180, 0, 0);
                break;
            default:
                throw ArchiveException.ForEntry(name, $"has entry type {entry.EntryType}, which a layer cannot hold");
        }
        _written.Add(target);
        SetMetadata(entry, full, entry.EntryType == TarEntryType.Directory, entry.EntryType == TarEntryType.SymbolicLink);
    }

    /// <summary>Cleans a tar path to a relative one; a path climbing above the root is hostile.</summary>
    private static string Clean(string path, string entry)
    {
        if (path.Contains('\0')) throw ArchiveException.ForEntry(entry, "the name contains a NUL byte");
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0)
                    throw ArchiveException.ForEntry(entry, $"'{path}' climbs out of the layer root with '..'");
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>Removes what is at <paramref name="full"/> unless it is a directory to merge into; true when it merges.</summary>
    private bool RemoveExisting(string full, bool keepDirectory)
    {
        if (!Files.TryLstat(full, out var status)) return false;
        if (status.Kind == FileKind.Directory)
        {
            if (keepDirectory) return true;
            Directory.Delete(full, recursive: true);
            _target.Forget();
        }
        else
        {
            File.Delete(full);
        }
        return false;
    }

    /// <summary>Writes a regular file and sets its metadata through the one descriptor.</summary>
    private void WriteFile(TarEntry entry, string full, byte[] buffer)
    {
        using var handle = FileHandles.CreateNew(full, 0x180);
        long expected = entry.Length;
        long written = 0;
        if (expected > 0)
        {
            var data = entry.DataStream ?? throw ArchiveException.ForEntry(entry.Name, "has a size but no data");
            while (written < expected)
            {
                int read = data.Read(buffer, 0, (int)Math.Min(buffer.Length, expected - written));
                if (read == 0) break;
                FileHandles.WriteAll(handle, buffer.AsSpan(0, read), full);
                written += read;
            }
        }
        if (written != expected)
            throw ArchiveException.ForEntry(entry.Name, $"the tar ends inside this file ({written} of {expected} bytes): the layer is truncated");
        _contentBytes += written;
        if (_options.RestoreOwners) FileHandles.Chown(handle, (uint)entry.Uid, (uint)entry.Gid, full);
        FileHandles.Chmod(handle, (uint)entry.Mode, full); // after chown, which clears setuid/setgid
        SetXattrs(entry, full, isSymlink: false);
        FileHandles.SetTimes(handle, entry.ModificationTime, full);
    }

    private void SetMetadata(TarEntry entry, string full, bool isDirectory, bool isSymlink)
    {
        if (_options.RestoreOwners) Files.Lchown(full, (uint)entry.Uid, (uint)entry.Gid);
        if (!isSymlink) Files.Chmod(full, (uint)entry.Mode); // after chown, which clears setuid/setgid
        SetXattrs(entry, full, isSymlink);
        if (isDirectory) _directoryTimes.Add((full, entry.ModificationTime));
        else Files.SetTimesNoFollow(full, entry.ModificationTime);
    }

    private void SetXattrs(TarEntry entry, string full, bool isSymlink)
    {
        if (entry is not PaxTarEntry pax || pax.ExtendedAttributes.Count == 0) return;
        foreach (var (xattr, value) in _tar.TakeXattrs(entry.Name) ?? PaxXattrs.Read(pax.ExtendedAttributes, entry.Name))
        {
            if (xattr.StartsWith(Whiteouts.OverlayXattrPrefix, StringComparison.Ordinal)) continue; // the driver's, never content
            try
            {
                Files.SetXattr(full, xattr, value);
            }
            catch (UnixException e) when (e.Errno == 95 /* EOPNOTSUPP */ || (isSymlink && e.Errno == 1 /* EPERM: user.* on a symlink */))
            {
                // The filesystem cannot hold it: the same as Docker, which applies layers on such filesystems too.
            }
        }
    }

    /// <summary>The real path of a hard link's source, copied up from a lower layer when this layer lacks it.</summary>
    private string HardLinkSource(string linkName, string entry)
    {
        string rel = Clean(linkName, entry);
        if (rel.Length == 0) throw ArchiveException.ForEntry(entry, "is a hard link to the layer root");
        string? source = _target.ResolveEntry(rel, create: false, entry);
        if (source is not null && Files.TryLstat(_target.Full(source), out var status))
        {
            if (status.Kind == FileKind.Directory) throw ArchiveException.ForEntry(entry, $"is a hard link to directory '{linkName}'");
            return _target.Full(source);
        }
        foreach (var lower in _lowers)
        {
            string? lowerRel = lower.ResolveEntry(rel, create: false, entry);
            if (lowerRel is null || !Files.TryLstat(lower.Full(lowerRel), out var lowerStatus) || lowerStatus.Kind == FileKind.Directory) continue;
            string copy = _target.Full(_target.ResolveEntry(lowerRel, create: true, entry)!);
            CopyUp(lower.Full(lowerRel), lowerStatus, copy);
            return copy;
        }
        throw ArchiveException.ForEntry(entry, $"is a hard link to '{linkName}', which neither this layer nor a lower one holds");
    }

    /// <summary>Copies a lower layer's file into the target with its metadata, so a hard link to it can be made here.</summary>
    private static void CopyUp(string source, in FileStatus status, string destination)
    {
        switch (status.Kind)
        {
            case FileKind.Regular:
                using (var from = File.OpenHandle(source, FileMode.Open, FileAccess.Read))
                using (var to = File.OpenHandle(destination, FileMode.CreateNew, FileAccess.Write))
                {
                    if (!Files.TryClone(from, to))
                    {
                        using var input = new FileStream(from, FileAccess.Read, 0);
                        using var output = new FileStream(to, FileAccess.Write, 0);
                        input.CopyTo(output, CopyBufferSize);
                    }
                }
                break;
            case FileKind.Symlink:
                File.CreateSymbolicLink(destination, TreeEntries.ReadLink(source));
                break;
            default:
                Files.Mknod(destination, (status.Mode & Files.S_IFMT) | 0x180, status.RdevMajor, status.RdevMinor);
                break;
        }
        Files.Lchown(destination, status.Uid, status.Gid);
        if (status.Kind != FileKind.Symlink) Files.Chmod(destination, status.Permissions);
        foreach (var (name, value) in TreeEntries.ContentXattrs(source)) Files.SetXattr(destination, name, value);
        Files.SetTimesNoFollow(destination, status.ModifiedTime);
    }

    /// <summary>A directory implied by an entry of a diff layer takes owner and mode from the lower layer that has it.</summary>
    private void TakeLowerDirectoryMetadata(string rel, string full)
    {
        foreach (var lower in _lowers)
        {
            if (!Files.TryLstat(lower.Full(rel), out var status) || status.Kind != FileKind.Directory) continue;
            Files.Lchown(full, status.Uid, status.Gid);
            Files.Chmod(full, status.Permissions);
            return;
        }
    }

    /// <summary><c>.wh.name</c>: remove <paramref name="removed"/> of lower layers (Applied) or mark it removed (Overlay).</summary>
    private void WhiteOut(string parent, string removed, string entry)
    {
        bool overlay = _options.Whiteouts == WhiteoutFormat.Overlay;
        string? directory = _target.ResolveDirectory(parent, create: overlay, entry);
        if (directory is null) return; // nothing below to remove
        string rel = TreeEntries.Join(directory, removed);
        string full = _target.Full(rel);
        bool exists = Files.TryLstat(full, out var status);
        if (_written.Contains(rel))
        {
            // This layer's own entry stays; only what lower layers put under it goes.
            if (exists && status.Kind == FileKind.Directory) MakeOpaque(rel, entry);
            return;
        }
        if (overlay)
        {
            RemoveExisting(full, keepDirectory: false);
            Whiteouts.CreateOverlayWhiteout(full);
            _whitedOut.Add(rel);
        }
        else if (exists)
        {
            RemoveExisting(full, keepDirectory: false);
        }
    }

    /// <summary><c>.wh..wh..opq</c>: hide everything lower layers have in the directory, keep this layer's entries.</summary>
    private void MakeOpaque(string directoryRel, string entry)
    {
        bool overlay = _options.Whiteouts == WhiteoutFormat.Overlay;
        string? directory = _target.ResolveDirectory(directoryRel, create: overlay, entry);
        if (directory is null) return;
        if (overlay)
        {
            Whiteouts.MarkOverlayOpaque(_target.Full(directory));
            return;
        }
        RemoveLowerEntries(directory);
    }

    private void RemoveLowerEntries(string directory)
    {
        foreach (var name in TreeEntries.SortedNames(_target.Full(directory)))
        {
            string rel = TreeEntries.Join(directory, name);
            string full = _target.Full(rel);
            if (!_written.Contains(rel)) RemoveExisting(full, keepDirectory: false);
            else if (Files.Lstat(full).Kind == FileKind.Directory) RemoveLowerEntries(rel);
        }
    }
}
